SELECT "row_id", "amount"
FROM "facts_budget_v1"
WHERE "year" = ?
  AND "row_id" > ?
ORDER BY "row_id" ASC NULLS LAST
LIMIT ?
-- args: []interface {}{2024, 65536, 65536}
