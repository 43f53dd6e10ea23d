-- Triggers and generated columns: updated_at, run statistics, the best iteration, cascades.
begin;
create extension if not exists pgtap;
select plan(25);

insert into project_config (id, name) values ('tap-t', 'Triggers');
insert into optimization_runs (id, project_id, run_name, optimizer_type, status, updated_at) values
  ('c1000000-0000-4000-8000-000000000001', 'tap-t', 'stats', 'miprov2', 'running', '2001-01-01'),
  ('c1000000-0000-4000-8000-000000000002', 'tap-t', 'other', 'gepa', 'running', '2001-01-01');

-- updated_at ------------------------------------------------------------------------------
update optimization_runs set description = 'touched' where id = 'c1000000-0000-4000-8000-000000000001';
select is((select updated_at from optimization_runs where id = 'c1000000-0000-4000-8000-000000000001'), now(),
  'updating a run sets updated_at to now()');
select is((select updated_at from optimization_runs where id = 'c1000000-0000-4000-8000-000000000002'),
  '2001-01-01'::timestamptz, 'other runs keep their updated_at');

-- Run statistics --------------------------------------------------------------------------
-- one statement, four rows: the row triggers run for each
insert into optimization_iterations (run_id, project_id, iteration, score, latency_ms, tokens, cost_usd) values
  ('c1000000-0000-4000-8000-000000000001', 'tap-t', 0, 0.5, 100, 10, 0.01),
  ('c1000000-0000-4000-8000-000000000001', 'tap-t', 1, 0.7, 200, 20, 0.02),
  ('c1000000-0000-4000-8000-000000000001', 'tap-t', 2, null, null, 5, 0),
  ('c1000000-0000-4000-8000-000000000001', 'tap-t', 3, 0.7, 301, 1000, 1.5);

prepare stats as
  select iterations, best_score, avg_latency_ms, total_tokens, total_cost_usd
  from optimization_runs where id = 'c1000000-0000-4000-8000-000000000001';
prepare best as
  select iteration from optimization_iterations
  where run_id = 'c1000000-0000-4000-8000-000000000001' and is_best order by iteration;

select results_eq('stats', $$values (4, 0.7000::numeric(7,4), 200.33::numeric(12,2), 1035::bigint, 1.53::numeric(14,6))$$,
  'statistics after a batch insert');
select results_eq('best', array[1], 'the best iteration is the highest score, the earliest on a tie');

update optimization_iterations set score = 0.9, latency_ms = 400, tokens = 40, cost_usd = 0.5
where run_id = 'c1000000-0000-4000-8000-000000000001' and iteration = 2;
select results_eq('stats', $$values (4, 0.9000::numeric(7,4), 250.25::numeric(12,2), 1070::bigint, 2.03::numeric(14,6))$$,
  'statistics after an update');
select results_eq('best', array[2], 'a higher score takes best over');

update optimization_iterations set score = 0.1 where run_id = 'c1000000-0000-4000-8000-000000000001' and iteration = 2;
select results_eq('best', array[1], 'lowering the best score moves best back to the earliest tie');

delete from optimization_iterations where run_id = 'c1000000-0000-4000-8000-000000000001' and iteration = 1;
select results_eq('stats', $$values (3, 0.7000::numeric(7,4), 267.00::numeric(12,2), 1050::bigint, 2.01::numeric(14,6))$$,
  'statistics after a delete');
select results_eq('best', array[3], 'deleting the best iteration moves best to the next');

update optimization_iterations set score = null where run_id = 'c1000000-0000-4000-8000-000000000001';
select is_empty('best', 'null scores are never best');
select is((select best_score from optimization_runs where id = 'c1000000-0000-4000-8000-000000000001'), null,
  'no score, no best_score');

select is((select count(*)::int from optimization_iterations
           where run_id = 'c1000000-0000-4000-8000-000000000001' and is_best), 0, 'no iteration is best');

insert into optimization_iterations (run_id, project_id, iteration, score) values
  ('c1000000-0000-4000-8000-000000000002', 'tap-t', 0, 0.2);
select is((select best_score from optimization_runs where id = 'c1000000-0000-4000-8000-000000000002'), 0.2000::numeric,
  'each run has its own statistics');
select is((select iterations from optimization_runs where id = 'c1000000-0000-4000-8000-000000000001'), 3,
  'an insert into one run leaves the other run''s statistics alone');

delete from optimization_iterations where run_id = 'c1000000-0000-4000-8000-000000000001';
select results_eq('stats', $$values (0, null::numeric(7,4), null::numeric(12,2), 0::bigint, 0::numeric(14,6))$$,
  'statistics after deleting every iteration');

-- Cascades --------------------------------------------------------------------------------
insert into optimization_iterations (id, run_id, project_id, iteration, score) values
  ('c2000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000001', 'tap-t', 0, 0.5),
  ('c2000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000002', 'tap-t', 1, 0.5);
insert into optimization_samples (run_id, project_id, iteration, iteration_id, sample_index)
select 'c1000000-0000-4000-8000-000000000001', 'tap-t', 0, 'c2000000-0000-4000-8000-000000000001', s
from generate_series(0, 2) s;
insert into optimization_samples (run_id, project_id, iteration, iteration_id, sample_index)
select 'c1000000-0000-4000-8000-000000000002', 'tap-t', 1, 'c2000000-0000-4000-8000-000000000002', s
from generate_series(0, 2) s;

-- iterations go only with their run (no set null: Citus refuses it)
select throws_ok($$delete from optimization_iterations where id = 'c2000000-0000-4000-8000-000000000001'$$,
  '23503', null, 'an iteration its samples name is not deleted alone');

delete from optimization_runs where id = 'c1000000-0000-4000-8000-000000000002';
select is_empty($$select 1 from optimization_iterations where run_id = 'c1000000-0000-4000-8000-000000000002'$$,
  'deleting a run deletes its iterations');
select is_empty($$select 1 from optimization_samples where run_id = 'c1000000-0000-4000-8000-000000000002'$$,
  'deleting a run deletes its samples');

-- Generated columns -----------------------------------------------------------------------
insert into optimization_runs (id, project_id, run_name, optimizer_type, initial_score, final_score, started_at, ended_at) values
  ('c1000000-0000-4000-8000-000000000003', 'tap-t', 'g1', 'miprov2', 0.5, 0.75, '2026-03-01 10:00:00+00', '2026-03-01 10:02:03.456+00'),
  ('c1000000-0000-4000-8000-000000000004', 'tap-t', 'g2', 'miprov2', 0, 0.4, '2026-03-01 10:00:00+00', null),
  ('c1000000-0000-4000-8000-000000000005', 'tap-t', 'g3', 'miprov2', null, 0.4, null, null);
select results_eq($$select duration_ms, improvement, improvement_pct from optimization_runs
                    where id = 'c1000000-0000-4000-8000-000000000003'$$,
  $$values (123456::bigint, 0.2500::numeric, 50.00::numeric)$$, 'duration_ms, improvement and improvement_pct computed');
select results_eq($$select duration_ms, improvement, improvement_pct from optimization_runs
                    where id = 'c1000000-0000-4000-8000-000000000004'$$,
  $$values (null::bigint, 0.4000::numeric, null::numeric)$$, 'improvement_pct is null when initial_score is 0');
select results_eq($$select improvement, improvement_pct from optimization_runs
                    where id = 'c1000000-0000-4000-8000-000000000005'$$,
  $$values (null::numeric, null::numeric)$$, 'improvement and improvement_pct are null without initial_score');
select throws_ok($$update optimization_runs set improvement = 1 where id = 'c1000000-0000-4000-8000-000000000003'$$,
  '428C9', 'column "improvement" can only be updated to DEFAULT', 'generated columns cannot be written');

-- Analytics refresh -------------------------------------------------------------------------
select is((select refreshed from refresh_optimization_analytics()), true, 'refresh_optimization_analytics refreshes');
select results_eq($$select sum(run_count)::bigint from optimization_run_analytics where project_id = 'tap-t' and optimizer_type = 'miprov2'$$,
  array[4::bigint], 'the refreshed view counts the runs');
select isnt_empty('select 1 from optimization_analytics_refreshes where refreshed_at >= now()',
  'the refresh is recorded in optimization_analytics_refreshes');

select * from finish();
rollback;
