WITH cells AS (
SELECT "admin__ministry" AS k0, sum("amount_sum") AS amount_sum, CAST(sum("amount_count") AS BIGINT) AS amount_count, min("amount_min") AS amount_min, max("amount_max") AS amount_max
FROM "rollup_budget_v1_1"
WHERE "year" = ?
  AND "phase" IN (?, ?)
GROUP BY "admin__ministry"
)
SELECT * FROM cells
ORDER BY amount_sum DESC NULLS LAST, k0 ASC NULLS LAST
LIMIT ?
OFFSET ?
-- args: []interface {}{2024, "approved", "revised", 100, 200}
