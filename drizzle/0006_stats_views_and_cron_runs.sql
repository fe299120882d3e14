-- Filled in by the issue that owns it; a no-op until then.
SELECT 1;
