WITH cells AS (
SELECT "admin__ministry" AS k0, "currency" AS k1, sum("amount_sum") AS amount_sum, CAST(sum("amount_count") AS BIGINT) AS amount_count, min("amount_min") AS amount_min, max("amount_max") AS amount_max
FROM "rollup_budget_v1_1"
WHERE "year" = ?
GROUP BY "admin__ministry", "currency"
), ranked AS (
SELECT *, row_number() OVER (ORDER BY k1 ASC NULLS LAST, amount_sum DESC NULLS LAST, k0 ASC NULLS LAST) AS rn FROM cells
), flagged AS (
SELECT *, rn > ? AS other FROM ranked
)
SELECT CASE WHEN other THEN NULL ELSE k0 END AS k0, k1 AS k1, sum(amount_sum) AS amount_sum, CAST(sum(amount_count) AS BIGINT) AS amount_count, min(amount_min) AS amount_min, max(amount_max) AS amount_max, other, count(*) AS folded
FROM flagged
GROUP BY CASE WHEN other THEN NULL ELSE rn END, CASE WHEN other THEN NULL ELSE k0 END, k1, other
ORDER BY other, CASE WHEN other THEN k1 END ASC NULLS LAST, min(rn)
-- args: []interface {}{2024, 5}
