-- A retried create (same client-chosen id) is compared with the create that made the run:
-- one digest per field of that body, so a retry that differs is refused naming the fields.
alter table public.optimization_runs add column create_digest jsonb;
