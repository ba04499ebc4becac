WITH cells AS (
SELECT sum("amount_sum") AS amount_sum, CAST(sum("amount_count") AS BIGINT) AS amount_count, min("amount_min") AS amount_min, max("amount_max") AS amount_max
FROM "rollup_budget_v1_1"
WHERE "year" = ?
HAVING sum("amount_count") > 0
)
SELECT * FROM cells
ORDER BY amount_sum DESC NULLS LAST
LIMIT ?
-- args: []interface {}{2024, 100}
