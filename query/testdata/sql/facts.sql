SELECT "row_id", "year", "admin__ministry", "amount"
FROM "facts_budget_v1"
WHERE "admin__ministry" = ?
ORDER BY "amount" DESC NULLS LAST, "row_id" ASC NULLS LAST
LIMIT ?
OFFSET ?
-- args: []interface {}{"M1", 100, 100}
