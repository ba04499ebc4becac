WITH cells AS (
SELECT "period" AS k0, "economic__chapter" AS k1, sum("amount") AS amount_sum, count(*) AS amount_count, min("amount") AS amount_min, max("amount") AS amount_max
FROM "facts_budget_v1"
WHERE NOT coalesce(("admin__ministry" = ?), false)
  AND ("year" BETWEEN ? AND ?)
  AND "date" >= CAST(? AS DATE)
  AND ("admin__ministry" = ? OR "admin__department" IN (?, ?))
GROUP BY "period", "economic__chapter"
)
SELECT * FROM cells
ORDER BY CASE WHEN amount_count > 0 THEN CAST((amount_sum) * 1000 AS HUGEINT) * 1000000000 // amount_count END DESC NULLS LAST, amount_count ASC NULLS LAST, k0 ASC NULLS LAST, k1 ASC NULLS LAST
LIMIT ?
-- args: []interface {}{"M1", 2020, 2024, time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC), "M3", "D11", "D21", 100}
