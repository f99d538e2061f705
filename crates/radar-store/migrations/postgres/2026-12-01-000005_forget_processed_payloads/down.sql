-- Nothing to restore: the cleared payloads were processed updates, not needed again.
SELECT 1;
