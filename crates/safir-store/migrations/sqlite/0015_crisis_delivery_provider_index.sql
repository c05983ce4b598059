-- Delivery receipts look rows up by the provider's message id, which only SMS and webhook
-- rows carry once sent. Indexing only those rows spares every fan-out one index entry per
-- email recipient.
DROP INDEX crisis_deliveries_provider;
CREATE INDEX crisis_deliveries_provider ON crisis_deliveries(provider_id) WHERE provider_id IS NOT NULL;
