WITH cells AS (
SELECT "admin__ministry" AS k0, sum("amount_sum") FILTER (WHERE "phase" = ?) AS approved_sum, CAST(coalesce(sum("amount_count") FILTER (WHERE "phase" = ?), 0) AS BIGINT) AS approved_count, sum("amount_sum") FILTER (WHERE "phase" = ?) AS revised_sum, CAST(coalesce(sum("amount_count") FILTER (WHERE "phase" = ?), 0) AS BIGINT) AS revised_count, sum("amount_sum") FILTER (WHERE "phase" = ?) AS executed_sum, CAST(coalesce(sum("amount_count") FILTER (WHERE "phase" = ?), 0) AS BIGINT) AS executed_count
FROM "rollup_budget_v1_1"
WHERE "year" = ?
GROUP BY "admin__ministry"
)
SELECT *,
  count(*) OVER () AS cell_count,
  sum(approved_sum) OVER () AS total_approved_sum, CAST(sum(approved_count) OVER () AS BIGINT) AS total_approved_count,
  sum(revised_sum) OVER () AS total_revised_sum, CAST(sum(revised_count) OVER () AS BIGINT) AS total_revised_count,
  sum(executed_sum) OVER () AS total_executed_sum, CAST(sum(executed_count) OVER () AS BIGINT) AS total_executed_count
FROM cells
ORDER BY executed_sum DESC NULLS LAST, k0 ASC NULLS LAST
LIMIT ?
-- args: []interface {}{"approved", "approved", "revised", "revised", "executed", "executed", 2024, 100}
