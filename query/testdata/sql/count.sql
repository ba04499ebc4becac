WITH cells AS (
SELECT "admin__department" AS k0, "economic__chapter" AS k1, sum("amount") AS amount_sum, count(*) AS amount_count, min("amount") AS amount_min, max("amount") AS amount_max
FROM "facts_budget_v1"
WHERE "year" = ?
GROUP BY "admin__department", "economic__chapter"
)
SELECT count(*) FROM cells
-- args: []interface {}{2024}
