SELECT "currency" AS t0, sum("amount_sum") AS amount_sum, CAST(sum("amount_count") AS BIGINT) AS amount_count, min("amount_min") AS amount_min, max("amount_max") AS amount_max
FROM "rollup_budget_v1_1"
WHERE "phase" IN (?, ?)
GROUP BY "currency"
ORDER BY t0 ASC NULLS LAST
-- args: []interface {}{"approved", "revised"}
