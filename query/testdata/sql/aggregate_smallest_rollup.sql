WITH cells AS (
SELECT "admin__ministry" AS k0, "year" AS k1, sum("amount_sum") AS amount_sum, CAST(sum("amount_count") AS BIGINT) AS amount_count, min("amount_min") AS amount_min, max("amount_max") AS amount_max
FROM "rollup_budget_v1_1"
GROUP BY "admin__ministry", "year"
)
SELECT * FROM cells
ORDER BY k1 DESC NULLS LAST, k0 ASC NULLS LAST
LIMIT ?
-- args: []interface {}{10}
