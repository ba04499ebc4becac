WITH cells AS (
SELECT "economic__chapter" AS k0, "admin__department" AS k1, sum("amount") FILTER (WHERE "phase" = ?) AS approved_sum, count(*) FILTER (WHERE "phase" = ?) AS approved_count, sum("amount") FILTER (WHERE "phase" = ?) AS revised_sum, count(*) FILTER (WHERE "phase" = ?) AS revised_count, sum("amount") FILTER (WHERE "phase" = ?) AS executed_sum, count(*) FILTER (WHERE "phase" = ?) AS executed_count
FROM "facts_budget_v1"
GROUP BY "economic__chapter", "admin__department"
)
SELECT * FROM cells
ORDER BY (executed_sum - (CASE WHEN revised_count > 0 THEN revised_sum WHEN approved_count > 0 THEN approved_sum END)) ASC NULLS LAST, k0 ASC NULLS LAST, k1 ASC NULLS LAST
LIMIT ?
OFFSET ?
-- args: []interface {}{"approved", "approved", "revised", "revised", "executed", "executed", 50, 50}
