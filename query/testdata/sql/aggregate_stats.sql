WITH cells AS (
SELECT "admin__ministry" AS k0, "currency" AS k1, sum("amount_sum") AS amount_sum, CAST(sum("amount_count") AS BIGINT) AS amount_count, min("amount_min") AS amount_min, max("amount_max") AS amount_max
FROM "rollup_budget_v1_1"
WHERE "year" = ?
GROUP BY "admin__ministry", "currency"
)
SELECT *,
  count(*) OVER () AS cell_count,
  sum(amount_sum) OVER (PARTITION BY k1) AS total_sum,
  NULL AS total_min, NULL AS total_max,
  CAST(sum(amount_count) OVER () AS BIGINT) AS all_count
FROM cells
ORDER BY amount_sum DESC NULLS LAST, k0 ASC NULLS LAST, k1 ASC NULLS LAST
LIMIT ?
OFFSET ?
-- args: []interface {}{2024, 100, 100}
