SELECT "row_id", "year", "admin__ministry", "amount"
FROM "facts_budget_v1"
WHERE "row_id" IN (
SELECT "row_id" FROM "facts_budget_v1"
WHERE "admin__ministry" = ?
ORDER BY "row_id" ASC NULLS LAST
LIMIT ?
OFFSET ?
)
ORDER BY "row_id" ASC NULLS LAST
-- args: []interface {}{"M1", 100, 500000}
