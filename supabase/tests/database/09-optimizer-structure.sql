-- Issue 14's schema (migration optimizer_structure): the four optimizer-structure tables are isolated like
-- samples, keep their project, check their values; the best iteration is the selected one,
-- else the best full evaluation, a minibatch never outranking a full or unlabelled one;
-- samples' tokens and cost add up into iterations that reported none, and into the run.
begin;
create extension if not exists pgtap;
select plan(54);

\set owner_e '{"role": "authenticated", "sub": "e0000000-0000-4000-8000-000000000001"}'
\set viewer_e '{"role": "authenticated", "sub": "e0000000-0000-4000-8000-000000000002"}'
\set stranger '{"role": "authenticated", "sub": "f0000000-0000-4000-8000-000000000001"}'

-- RLS and policies ---------------------------------------------------------------------------
select ok((select relrowsecurity from pg_class where oid = format('public.%I', t)::regclass),
          format('RLS is enabled on %s', t))
from unnest(array['optimization_candidates', 'optimization_candidate_pool',
                  'optimization_pareto_snapshots', 'optimization_proposals']) t;

select policies_are('public', t, array[
  'Service role has full access',
  'Users can manage own project ' || t,
  'Only writers can update ' || t,
  'Only writers can delete ' || t
], format('%s has the policies samples have', t))
from unnest(array['optimization_candidates', 'optimization_candidate_pool',
                  'optimization_pareto_snapshots', 'optimization_proposals']) t;

select ok(not has_table_privilege('anon', format('public.%I', t), 'select'), format('anon cannot read %s', t))
from unnest(array['optimization_candidates', 'optimization_candidate_pool',
                  'optimization_pareto_snapshots', 'optimization_proposals']) t;

-- Every primary key holds project_id.
select ok(
  exists (select 1 from pg_index i
          join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
          where i.indrelid = format('public.%I', t)::regclass and i.indisprimary and a.attname = 'project_id'),
  format('the primary key of %s holds project_id', t))
from unnest(array['optimization_candidates', 'optimization_candidate_pool',
                  'optimization_pareto_snapshots', 'optimization_proposals']) t;

-- Fixtures --------------------------------------------------------------------------------------
insert into auth.users (id, email) values
  ('e0000000-0000-4000-8000-000000000001', 'owner-e@example.test'),
  ('e0000000-0000-4000-8000-000000000002', 'viewer-e@example.test'),
  ('f0000000-0000-4000-8000-000000000001', 'stranger@example.test');
insert into project_config (id, name) values ('tap-e', 'Project E'), ('tap-f', 'Project F');
insert into project_members (project_id, user_id, role) values
  ('tap-e', 'e0000000-0000-4000-8000-000000000001', 'owner'),
  ('tap-e', 'e0000000-0000-4000-8000-000000000002', 'viewer'),
  ('tap-f', 'f0000000-0000-4000-8000-000000000001', 'owner');
insert into optimization_runs (id, project_id, run_name, optimizer_type) values
  ('e1000000-0000-4000-8000-000000000001', 'tap-e', 'gepa run', 'gepa'),
  ('e1000000-0000-4000-8000-000000000002', 'tap-e', 'mipro run', 'miprov2'),
  ('f1000000-0000-4000-8000-000000000001', 'tap-f', 'other run', 'gepa');
insert into optimization_candidates (run_id, project_id, candidate_id, parent_ids, score) values
  ('e1000000-0000-4000-8000-000000000001', 'tap-e', '0', '{}', 0.5),
  ('e1000000-0000-4000-8000-000000000001', 'tap-e', '1', '{0}', 0.7);
insert into optimization_candidate_pool (run_id, project_id, predictor_index, predictor_name, kind, candidate_index, text) values
  ('e1000000-0000-4000-8000-000000000002', 'tap-e', 0, 'predict', 'instruction', 0, 'Answer.');
insert into optimization_pareto_snapshots (run_id, project_id, step, front) values
  ('e1000000-0000-4000-8000-000000000001', 'tap-e', 0, '{"ex1": ["0"]}');
insert into optimization_proposals (run_id, project_id, proposal_index, kind, parent_ids, accepted) values
  ('e1000000-0000-4000-8000-000000000001', 'tap-e', 0, 'reflective', '{0}', false);
insert into optimization_candidates (run_id, project_id, candidate_id) values
  ('f1000000-0000-4000-8000-000000000001', 'tap-f', '0');

-- A stranger, a viewer ---------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims to :'stranger';
select is((select count(*)::int from optimization_candidates), 1, 'a stranger sees only its own candidates');
select is((select count(*)::int from optimization_candidate_pool), 0, 'a stranger sees no pool of another project');
select is((select count(*)::int from optimization_pareto_snapshots), 0, 'a stranger sees no Pareto front of another project');
select is((select count(*)::int from optimization_proposals), 0, 'a stranger sees no proposal of another project');
select throws_ok($$insert into optimization_candidates (run_id, project_id, candidate_id)
                   values ('e1000000-0000-4000-8000-000000000001', 'tap-e', '9')$$,
  '42501', 'new row violates row-level security policy for table "optimization_candidates"',
  'a stranger cannot add a candidate to another project');
select is_empty($$update optimization_proposals set accepted = true returning 1$$, 'a stranger updates no proposal of another project');
select is_empty($$delete from optimization_pareto_snapshots returning 1$$, 'a stranger deletes no Pareto front of another project');

set local request.jwt.claims to :'viewer_e';
select is((select count(*)::int from optimization_candidates), 2, 'a viewer reads its project''s candidates');
select is_empty($$update optimization_candidates set score = 1 returning 1$$, 'a viewer updates no candidate');
select throws_ok($$insert into optimization_proposals (run_id, project_id, proposal_index, kind, accepted)
                   values ('e1000000-0000-4000-8000-000000000001', 'tap-e', 5, 'merge', true)$$,
  '42501', 'new row violates row-level security policy for table "optimization_proposals"',
  'a viewer cannot add a proposal');

set local request.jwt.claims to :'owner_e';
select lives_ok($$insert into optimization_candidates (run_id, project_id, candidate_id, parent_ids)
                  values ('e1000000-0000-4000-8000-000000000001', 'tap-e', '2', '{0,1}')$$,
  'the owner adds a candidate');
reset role;

-- Constraints ---------------------------------------------------------------------------------------
select throws_ok($$insert into optimization_candidates (run_id, project_id, candidate_id)
                   values ('f1000000-0000-4000-8000-000000000001', 'tap-e', 'x')$$,
  '23503', null, 'a candidate cannot name a run of another project');
select throws_ok($$insert into optimization_proposals (run_id, project_id, proposal_index, kind, accepted)
                   values ('f1000000-0000-4000-8000-000000000001', 'tap-e', 1, 'merge', true)$$,
  '23503', null, 'a proposal cannot name a run of another project');
select throws_ok($$insert into optimization_candidates (run_id, project_id, candidate_id)
                   values ('e1000000-0000-4000-8000-000000000001', 'tap-e', '0')$$,
  '23505', null, 'a candidate id is unique within its run');
select throws_ok($$insert into optimization_candidates (run_id, project_id, candidate_id, score)
                   values ('e1000000-0000-4000-8000-000000000001', 'tap-e', 'y', 84)$$,
  '23514', null, 'a candidate score is 0-1');
select throws_ok($$insert into optimization_candidate_pool (run_id, project_id, predictor_index, predictor_name, kind, candidate_index)
                   values ('e1000000-0000-4000-8000-000000000002', 'tap-e', 0, 'predict', 'prompt', 1)$$,
  '23514', null, 'a pool entry is an instruction or a demo set');
select throws_ok($$insert into optimization_proposals (run_id, project_id, proposal_index, kind, accepted)
                   values ('e1000000-0000-4000-8000-000000000001', 'tap-e', 2, 'mutation', true)$$,
  '23514', null, 'a proposal is reflective or a merge');
select throws_ok($$insert into optimization_pareto_snapshots (run_id, project_id, step, front)
                   values ('e1000000-0000-4000-8000-000000000001', 'tap-e', 1, '[]')$$,
  '23514', null, 'a Pareto front is an object');
select throws_ok($$insert into optimization_iterations (run_id, project_id, iteration, eval_kind)
                   values ('e1000000-0000-4000-8000-000000000002', 'tap-e', 8, 'partial')$$,
  '23514', null, 'an evaluation is full or minibatch');

select throws_ok(format($$update %I set project_id = 'tap-f' where project_id = 'tap-e'$$, t),
  '42501', format('%s rows cannot move to another project (tap-e -> tap-f)', t), format('%s rows keep their project', t))
from unnest(array['optimization_candidates', 'optimization_candidate_pool',
                  'optimization_pareto_snapshots', 'optimization_proposals']) t;
select throws_ok($$update optimization_candidates set run_id = 'e1000000-0000-4000-8000-000000000002'
                   where run_id = 'e1000000-0000-4000-8000-000000000001'$$,
  '42501', 'optimization_candidates rows cannot move to another run', 'candidates keep their run');

-- The best iteration ------------------------------------------------------------------------------------
insert into optimization_iterations (run_id, project_id, iteration, score, eval_kind) values
  ('e1000000-0000-4000-8000-000000000002', 'tap-e', 0, 0.62, 'full'),
  ('e1000000-0000-4000-8000-000000000002', 'tap-e', 1, 0.90, 'minibatch'),
  ('e1000000-0000-4000-8000-000000000002', 'tap-e', 2, 0.84, 'full'),
  ('e1000000-0000-4000-8000-000000000002', 'tap-e', 3, 0.70, null);
select results_eq($$select iteration from optimization_iterations where run_id = 'e1000000-0000-4000-8000-000000000002' and is_best$$,
  array[2], 'the best full evaluation, not the higher minibatch');
select is((select best_score from optimization_runs where id = 'e1000000-0000-4000-8000-000000000002'), 0.8400::numeric(7, 4),
  'the run''s best_score follows the best iteration');
select is((select best_iteration from get_optimization_run_summary('e1000000-0000-4000-8000-000000000002')), 2,
  'the summary names the same iteration');

update optimization_iterations set eval_kind = null where run_id = 'e1000000-0000-4000-8000-000000000002' and iteration in (0, 2);
select results_eq($$select iteration from optimization_iterations where run_id = 'e1000000-0000-4000-8000-000000000002' and is_best$$,
  array[2], 'an unlabelled evaluation outranks a minibatch');

update optimization_iterations set is_selected = true where run_id = 'e1000000-0000-4000-8000-000000000002' and iteration = 0;
select results_eq($$select iteration from optimization_iterations where run_id = 'e1000000-0000-4000-8000-000000000002' and is_best$$,
  array[0], 'the selected iteration is best, whatever its score');
select is((select best_score from optimization_runs where id = 'e1000000-0000-4000-8000-000000000002'), 0.6200::numeric(7, 4),
  'best_score is the selected iteration''s');
update optimization_iterations set is_selected = true where run_id = 'e1000000-0000-4000-8000-000000000002' and iteration = 3;
select results_eq($$select iteration from optimization_iterations where run_id = 'e1000000-0000-4000-8000-000000000002' and is_selected$$,
  array[3], 'selecting another iteration clears the first');
select results_eq($$select iteration from optimization_iterations where run_id = 'e1000000-0000-4000-8000-000000000002' and is_best$$,
  array[3], 'and makes it best');
select throws_ok($$insert into optimization_iterations (run_id, project_id, iteration, raw_score) values
                   ('e1000000-0000-4000-8000-000000000002', 'tap-e', 9, 'Infinity')$$,
  '23514', null, 'a raw score is finite');

-- Usage -------------------------------------------------------------------------------------------------
-- iteration 0 reported nothing: its samples' 3 x 100 tokens and 3 x 0.01 USD; iteration 1 reported 50 tokens
update optimization_iterations set tokens = 50 where run_id = 'e1000000-0000-4000-8000-000000000002' and iteration = 1;
insert into optimization_samples (run_id, project_id, iteration, sample_index, tokens, cost_usd)
select 'e1000000-0000-4000-8000-000000000002', 'tap-e', i, s, 100, 0.01 from generate_series(0, 1) i, generate_series(0, 2) s;
select results_eq($$select tokens, cost_usd from optimization_iterations
                    where run_id = 'e1000000-0000-4000-8000-000000000002' and iteration in (0, 1) order by iteration$$,
  $$values (300::bigint, 0.03::numeric), (50::bigint, 0.03::numeric)$$,
  'an iteration without reported tokens sums its samples; a reported count stays');
select results_eq($$select total_tokens, total_cost_usd from optimization_runs where id = 'e1000000-0000-4000-8000-000000000002'$$,
  $$values (350::bigint, 0.06::numeric)$$, 'the run sums its iterations');
delete from optimization_samples where run_id = 'e1000000-0000-4000-8000-000000000002' and iteration = 0 and sample_index = 0;
select is((select tokens from optimization_iterations where run_id = 'e1000000-0000-4000-8000-000000000002' and iteration = 0),
  200::bigint, 'a deleted sample is taken off');
-- samples posted before their iteration count once it exists
insert into optimization_samples (run_id, project_id, iteration, sample_index, tokens, cost_usd) values
  ('e1000000-0000-4000-8000-000000000002', 'tap-e', 7, 0, 21, 0.5);
insert into optimization_iterations (run_id, project_id, iteration) values ('e1000000-0000-4000-8000-000000000002', 'tap-e', 7);
select is((select tokens from optimization_iterations where run_id = 'e1000000-0000-4000-8000-000000000002' and iteration = 7),
  21::bigint, 'an iteration created after its samples starts from their sum');
select is((select total_tokens from optimization_runs where id = 'e1000000-0000-4000-8000-000000000002'),
  271::bigint, 'and the run follows (200 + 50 + 21)');

select * from finish();
rollback;
