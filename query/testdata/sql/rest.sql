WITH cells AS (
SELECT "admin__ministry" AS k0, "currency" AS k1, sum("amount_sum") AS amount_sum, CAST(sum("amount_count") AS BIGINT) AS amount_count, min("amount_min") AS amount_min, max("amount_max") AS amount_max
FROM "rollup_budget_v1_1"
WHERE "year" = ?
GROUP BY "admin__ministry", "currency"
), rest AS (
SELECT * FROM cells
ORDER BY k1 ASC NULLS LAST, amount_sum DESC NULLS LAST, k0 ASC NULLS LAST
OFFSET ?
)
SELECT k1 AS t0, sum(amount_sum) AS amount_sum, CAST(sum(amount_count) AS BIGINT) AS amount_count, min(amount_min) AS amount_min, max(amount_max) AS amount_max
FROM rest
GROUP BY k1
HAVING count(*) > 0
ORDER BY t0 ASC NULLS LAST
-- args: []interface {}{2024, 5}
