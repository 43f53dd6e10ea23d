-- Performance at scale (migrations run_triggers, run_search): run counts kept by triggers, the list total
-- (total_optimization_runs) answering exactly what count_optimization_runs answers, for the
-- caller's projects only, and the RLS helpers' answers unchanged by their rewrite.
begin;
create extension if not exists pgtap;
select plan(32);

\set owner_a '{"role": "authenticated", "sub": "a0000000-0000-4000-8000-0000000000c1"}'
\set viewer_a '{"role": "authenticated", "sub": "a0000000-0000-4000-8000-0000000000c2"}'
\set owner_b '{"role": "authenticated", "sub": "b0000000-0000-4000-8000-0000000000c1"}'
\set key_a '{"role": "authenticated", "api_key_id": "a3000000-0000-4000-8000-0000000000c1"}'
\set key_a_read '{"role": "authenticated", "api_key_id": "a3000000-0000-4000-8000-0000000000c3"}'
\set key_revoked '{"role": "authenticated", "api_key_id": "a3000000-0000-4000-8000-0000000000c2"}'

insert into auth.users (id, email) values
  ('a0000000-0000-4000-8000-0000000000c1', 'perf-a@example.test'),
  ('a0000000-0000-4000-8000-0000000000c2', 'perf-av@example.test'),
  ('b0000000-0000-4000-8000-0000000000c1', 'perf-b@example.test');
insert into project_config (id, name) values ('perf-a', 'A'), ('perf-b', 'B');
insert into project_members (project_id, user_id, role) values
  ('perf-a', 'a0000000-0000-4000-8000-0000000000c1', 'owner'),
  ('perf-a', 'a0000000-0000-4000-8000-0000000000c2', 'viewer'),
  ('perf-b', 'b0000000-0000-4000-8000-0000000000c1', 'owner');
insert into api_keys (id, project_id, name, key_hash, key_prefix, scopes, revoked_at) values
  ('a3000000-0000-4000-8000-0000000000c1', 'perf-a', 'k', repeat('1', 64), 'osk_k', array['read', 'write'], null),
  ('a3000000-0000-4000-8000-0000000000c2', 'perf-a', 'r', repeat('2', 64), 'osk_r', array['read', 'write'], now()),
  ('a3000000-0000-4000-8000-0000000000c3', 'perf-a', 'ro', repeat('3', 64), 'osk_ro', array['read'], null);

-- 40 runs in A: statuses, optimizers, tags and configs in a pattern; 5 in B.
insert into optimization_runs (project_id, run_name, optimizer_type, status, tags, config, final_score)
select 'perf-a', 'run ' || g,
       (array['miprov2', 'gepa'])[1 + g % 2],
       (array['completed', 'failed', 'running', 'completed'])[1 + g % 4],
       case when g % 3 = 0 then array['prod', 'exp-1'] when g % 3 = 1 then array['prod'] else array['dev'] end,
       jsonb_build_object('model', (array['gpt-4', 'gpt-4o'])[1 + g % 2], 'miprov2',
                          jsonb_build_object('num_candidates', case when g % 5 = 0 then 10.0 else 20 end, 'auto', null),
                          'stages', jsonb_build_array('a', 'b')),
       (g % 10) / 10.0
from generate_series(1, 40) g;
insert into optimization_runs (project_id, run_name, optimizer_type, status, tags, config)
select 'perf-b', 'b ' || g, 'miprov2', 'completed', array['prod'], '{"model": "gpt-4"}' from generate_series(1, 5) g;

create temp table expected_counts as
  select project_id, status, optimizer_type, count(*) as runs from optimization_runs
  where project_id in ('perf-a', 'perf-b') group by 1, 2, 3;
create function pg_temp.counts_match() returns boolean language sql as $$
  select not exists (
    select 1 from private.run_counts c
    full join (select project_id, status, optimizer_type, count(*) as runs from public.optimization_runs
               where project_id in ('perf-a', 'perf-b') group by 1, 2, 3) r using (project_id, status, optimizer_type)
    where coalesce(c.project_id, r.project_id) in ('perf-a', 'perf-b') and coalesce(c.runs, 0) <> coalesce(r.runs, 0)
  )
$$;

select ok(pg_temp.counts_match(), 'run counts follow inserts');
update optimization_runs set status = 'completed' where project_id = 'perf-a' and status = 'running';
select ok(pg_temp.counts_match(), 'and status changes');
update optimization_runs set optimizer_type = 'copro' where project_id = 'perf-a' and run_name = 'run 7';
select ok(pg_temp.counts_match(), 'and optimizer changes');
update optimization_runs set run_name = run_name || '!' where project_id = 'perf-a' and run_name = 'run 8';
select ok(pg_temp.counts_match(), 'and are untouched by other updates');
delete from optimization_runs where project_id = 'perf-a' and run_name in ('run 1', 'run 2');
select ok(pg_temp.counts_match(), 'and deletes');
select lives_ok($$ delete from project_config where id = 'perf-b' $$, 'a project with runs can still be deleted');
select is((select count(*)::int from private.run_counts where project_id = 'perf-b'), 0, 'and its counts go with it');
select lives_ok($$ select private.recompute_run_counts() $$, 'recompute_run_counts runs');
select ok(pg_temp.counts_match(), 'and agrees with the triggers');

set local role authenticated;

-- The total as count_optimization_runs counts it, for every kind of filter.
select set_config('request.jwt.claims', :'owner_a', true);
select is(total_optimization_runs('{"projectId": "perf-a"}'), count_optimization_runs('{"projectId": "perf-a"}'), 'total: project only (from the counts)');
select is(total_optimization_runs('{"projectId": "perf-a", "status": ["completed"]}'), count_optimization_runs('{"projectId": "perf-a", "status": ["completed"]}'), 'total: one status');
select is(total_optimization_runs('{"projectId": "perf-a", "status": ["completed", "failed"], "optimizerType": ["gepa"]}'), count_optimization_runs('{"projectId": "perf-a", "status": ["completed", "failed"], "optimizerType": ["gepa"]}'), 'total: statuses and optimizer');
select is(total_optimization_runs('{"projectId": "perf-a"}', 5), count_optimization_runs('{"projectId": "perf-a"}', 5), 'total: capped');
select is(total_optimization_runs('{"projectId": "perf-a"}', 5), 6, 'total: capped at the cap plus one');
select is(total_optimization_runs('{"projectId": "perf-a", "tags": ["prod"]}'), count_optimization_runs('{"projectId": "perf-a", "tags": ["prod"]}'), 'total: a tag (search entries)');
select is(total_optimization_runs('{"projectId": "perf-a", "tags": ["prod", "exp-1"], "status": ["completed"]}'), count_optimization_runs('{"projectId": "perf-a", "tags": ["prod", "exp-1"], "status": ["completed"]}'), 'total: two tags and a status');
select is(total_optimization_runs('{"projectId": "perf-a", "tags": ["nope"]}'), count_optimization_runs('{"projectId": "perf-a", "tags": ["nope"]}'), 'total: an unknown tag');
select is(total_optimization_runs('{"projectId": "perf-a", "config": {"model": "gpt-4"}}'), count_optimization_runs('{"projectId": "perf-a", "config": {"model": "gpt-4"}}'), 'total: a config value');
select is(total_optimization_runs('{"projectId": "perf-a", "config": {"miprov2": {"num_candidates": 10}}}', 100),
          count_optimization_runs('{"projectId": "perf-a", "config": {"miprov2": {"num_candidates": 10}}}', 100),
          'total: numbers compare by value (10 matches 10.0)');
select is(total_optimization_runs('{"projectId": "perf-a", "config": {"miprov2": {"auto": null}, "model": "gpt-4o"}}'), count_optimization_runs('{"projectId": "perf-a", "config": {"miprov2": {"auto": null}, "model": "gpt-4o"}}'), 'total: a JSON null and a nested value');
select is(total_optimization_runs('{"projectId": "perf-a", "config": {"stages": ["a"]}}'), count_optimization_runs('{"projectId": "perf-a", "config": {"stages": ["a"]}}'), 'total: an array in the filter (counted the plain way)');
select is(total_optimization_runs('{"projectId": "perf-a", "config": {"stages": "a"}}'), count_optimization_runs('{"projectId": "perf-a", "config": {"stages": "a"}}'), 'total: a scalar where config has an array');
select is(total_optimization_runs('{"projectId": "perf-a", "config": {}}'), count_optimization_runs('{"projectId": "perf-a", "config": {}}'), 'total: an empty config filter');
select is(total_optimization_runs('{"projectId": "perf-a", "tags": ["prod"], "minScore": 0.3, "maxScore": 0.7, "search": "%run 1%"}'), count_optimization_runs('{"projectId": "perf-a", "tags": ["prod"], "minScore": 0.3, "maxScore": 0.7, "search": "%run 1%"}'), 'total: tags with score range and name');
select is(total_optimization_runs('{"projectId": "perf-a", "minScore": 0.5, "createdAfter": "2000-01-01T00:00:00Z"}'), count_optimization_runs('{"projectId": "perf-a", "minScore": 0.5, "createdAfter": "2000-01-01T00:00:00Z"}'), 'total: score and date only');
select is(total_optimization_runs('{"projectId": "perf-a", "unknownKey": 1}'), count_optimization_runs('{"projectId": "perf-a", "unknownKey": 1}'), 'total: an unknown filter falls back to the plain count');
select is(total_optimization_runs('{"projectId": "perf-b"}'), 0, 'total: nothing for another tenant''s project');

select set_config('request.jwt.claims', :'key_a', true);
select is(total_optimization_runs('{"projectId": "perf-a", "tags": ["prod"]}'),
          (select count(*)::int from optimization_runs where tags @> array['prod']), 'an API key counts its project');
select set_config('request.jwt.claims', :'key_revoked', true);
select is(total_optimization_runs('{"projectId": "perf-a"}'), 0, 'a revoked key counts nothing');

-- The rewritten RLS helpers answer as before: readable | writable | admin | owner.
create temp view helper_answers as
  select concat_ws(' | ', private.readable_project_ids(), private.writable_project_ids(),
                   private.admin_project_ids(), private.owner_project_ids()) as answer;
grant select on helper_answers to authenticated;
select set_config('request.jwt.claims', :'viewer_a', true);
select is((select answer from helper_answers), '{perf-a} | {} | {} | {}', 'a viewer reads, and neither writes nor administers');
select set_config('request.jwt.claims', :'key_a_read', true);
select is((select answer from helper_answers), '{perf-a} | {} | {} | {}', 'a read-only key reads only');
select set_config('request.jwt.claims', :'owner_a', true);
select is((select answer from helper_answers), '{perf-a} | {perf-a} | {perf-a} | {perf-a}', 'an owner has every right');

select * from finish();
rollback;
