WITH cells AS (
SELECT "admin__ministry" AS k0, sum("amount_sum") FILTER (WHERE "phase" = ?) AS approved_sum, CAST(coalesce(sum("amount_count") FILTER (WHERE "phase" = ?), 0) AS BIGINT) AS approved_count, sum("amount_sum") FILTER (WHERE "phase" = ?) AS revised_sum, CAST(coalesce(sum("amount_count") FILTER (WHERE "phase" = ?), 0) AS BIGINT) AS revised_count, sum("amount_sum") FILTER (WHERE "phase" = ?) AS executed_sum, CAST(coalesce(sum("amount_count") FILTER (WHERE "phase" = ?), 0) AS BIGINT) AS executed_count
FROM "rollup_budget_v1_1"
WHERE "year" = ?
GROUP BY "admin__ministry"
)
SELECT * FROM cells
ORDER BY CASE WHEN (CASE WHEN revised_count > 0 THEN revised_sum WHEN approved_count > 0 THEN approved_sum END) <> 0 THEN CAST((coalesce(executed_sum, 0)) * 1000 AS HUGEINT) * 1000000000 // CAST((CASE WHEN revised_count > 0 THEN revised_sum WHEN approved_count > 0 THEN approved_sum END) * 1000 AS HUGEINT) END DESC NULLS LAST, k0 ASC NULLS LAST
LIMIT ?
-- args: []interface {}{"approved", "approved", "revised", "revised", "executed", "executed", 2024, 100}
