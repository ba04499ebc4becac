SELECT "level", "key", "label_en", "label_ar", "label_src"
FROM "members"
WHERE "dataset_id" = ? AND "version" = ? AND "dim" = ? AND "level" IN (?) AND "key" IN (SELECT unnest(?::VARCHAR[]))
ORDER BY "depth", "level", "key"
-- args: []interface {}{"budget", 1, "admin", "ministry", []string{"M1", "M2"}}
