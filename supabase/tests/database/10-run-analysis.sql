-- Issue 16's schema (migration run_analysis): notes, stars, saved views and the audit of run changes
-- are isolated by project like the other run tables; stars belong to one user; the audit is
-- written by triggers only and names who changed what.
begin;
create extension if not exists pgtap;
select plan(38);

\set owner_g '{"role": "authenticated", "sub": "a7000000-0000-4000-8000-000000000001"}'
\set viewer_g '{"role": "authenticated", "sub": "a7000000-0000-4000-8000-000000000002"}'
\set stranger '{"role": "authenticated", "sub": "b7000000-0000-4000-8000-000000000001"}'

select ok((select relrowsecurity from pg_class where oid = format('public.%I', t)::regclass),
          format('RLS is enabled on %s', t))
from unnest(array['run_notes', 'run_stars', 'saved_views', 'run_changes']) t;

select ok(not has_table_privilege('anon', format('public.%I', t), 'select'), format('anon cannot read %s', t))
from unnest(array['run_notes', 'run_stars', 'saved_views', 'run_changes']) t;

select ok(
  exists (select 1 from pg_index i
          join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
          where i.indrelid = format('public.%I', t)::regclass and i.indisprimary and a.attname = 'project_id'),
  format('the primary key of %s holds project_id', t))
from unnest(array['run_notes', 'run_stars', 'saved_views', 'run_changes']) t;

select ok(not has_table_privilege('authenticated', 'public.run_changes', 'insert'), 'users cannot write the audit');

insert into auth.users (id, email) values
  ('a7000000-0000-4000-8000-000000000001', 'owner-g@example.test'),
  ('a7000000-0000-4000-8000-000000000002', 'viewer-g@example.test'),
  ('b7000000-0000-4000-8000-000000000001', 'stranger-h@example.test');
insert into project_config (id, name) values ('tap-g', 'Project G'), ('tap-h', 'Project H');
insert into project_members (project_id, user_id, role) values
  ('tap-g', 'a7000000-0000-4000-8000-000000000001', 'owner'),
  ('tap-g', 'a7000000-0000-4000-8000-000000000002', 'viewer'),
  ('tap-h', 'b7000000-0000-4000-8000-000000000001', 'owner');
insert into optimization_runs (id, project_id, run_name, optimizer_type, status) values
  ('a7100000-0000-4000-8000-000000000001', 'tap-g', 'g run', 'gepa', 'running'),
  ('b7100000-0000-4000-8000-000000000001', 'tap-h', 'h run', 'gepa', 'running');

set local role authenticated;
set local request.jwt.claims to :'owner_g';
select lives_ok($$insert into run_notes (project_id, run_id, body) values ('tap-g', 'a7100000-0000-4000-8000-000000000001', '# Why')$$,
  'the owner writes a note');
select lives_ok($$update optimization_runs set run_name = 'g run renamed', tags = '{baseline}' where id = 'a7100000-0000-4000-8000-000000000001'$$,
  'the owner renames and tags a run');
select lives_ok($$insert into saved_views (project_id, name, definition) values ('tap-g', 'Best GEPA', '{"sort": {"by": "final_score"}}')$$,
  'the owner saves a view');
select lives_ok($$insert into run_stars (project_id, run_id, user_id) values ('tap-g', 'a7100000-0000-4000-8000-000000000001', 'a7000000-0000-4000-8000-000000000001')$$,
  'the owner stars a run');
select results_eq($$select field, changed_by::text from run_changes where run_id = 'a7100000-0000-4000-8000-000000000001' order by changed_at, id$$,
  $$values ('note', 'a7000000-0000-4000-8000-000000000001'), ('run_name', 'a7000000-0000-4000-8000-000000000001'),
           ('tags', 'a7000000-0000-4000-8000-000000000001')$$,
  'the audit names each change and who made it');
select is((select new_value from run_changes where field = 'run_name'), '"g run renamed"'::jsonb, 'the audit keeps the new name');
select is((select old_value from run_changes where field = 'run_name'), '"g run"'::jsonb, 'and the old one');
select throws_ok($$insert into run_changes (project_id, run_id, field) values ('tap-g', 'a7100000-0000-4000-8000-000000000001', 'note')$$,
  '42501', null, 'the audit cannot be forged');
select throws_ok($$delete from run_changes$$, '42501', null, 'nor erased');
select throws_ok($$insert into run_stars (project_id, run_id, user_id) values ('tap-g', 'a7100000-0000-4000-8000-000000000001', 'a7000000-0000-4000-8000-000000000002')$$,
  '42501', null, 'a user cannot star for someone else');

set local request.jwt.claims to :'viewer_g';
select is((select count(*)::int from run_notes), 1, 'a viewer reads the project''s notes');
select is((select count(*)::int from saved_views), 1, 'a viewer sees the shared views');
select is((select count(*)::int from run_stars), 0, 'a viewer does not see the owner''s stars');
select lives_ok($$insert into run_stars (project_id, run_id, user_id) values ('tap-g', 'a7100000-0000-4000-8000-000000000001', 'a7000000-0000-4000-8000-000000000002')$$,
  'a viewer stars a run (it changes no run)');
select is_empty($$update run_notes set body = 'x' returning 1$$, 'a viewer cannot edit a note');
select throws_ok($$insert into saved_views (project_id, name) values ('tap-g', 'mine')$$,
  '42501', null, 'a viewer cannot save a view');
select is((select count(*)::int from run_changes), 3, 'a viewer reads the audit');

set local request.jwt.claims to :'stranger';
select is((select count(*)::int from run_notes) + (select count(*)::int from saved_views)
          + (select count(*)::int from run_changes) + (select count(*)::int from run_stars), 0,
  'a stranger sees nothing of another project');
select throws_ok($$insert into run_notes (project_id, run_id, body) values ('tap-g', 'a7100000-0000-4000-8000-000000000001', 'x')$$,
  '42501', null, 'a stranger cannot write a note in another project');
select throws_ok($$insert into run_stars (project_id, run_id, user_id) values ('tap-g', 'a7100000-0000-4000-8000-000000000001', 'b7000000-0000-4000-8000-000000000001')$$,
  '42501', null, 'a stranger cannot star a run of another project');
reset role;

select throws_ok($$insert into run_notes (project_id, run_id, body) values ('tap-g', 'b7100000-0000-4000-8000-000000000001', 'x')$$,
  '23503', null, 'a note cannot name a run of another project');
select throws_ok($$update run_notes set project_id = 'tap-h'$$, '42501', null, 'a note keeps its project');
select throws_ok($$insert into saved_views (project_id, name) values ('tap-g', 'Best GEPA')$$,
  '23505', null, 'a view''s name is unique in its project');

select lives_ok($$delete from optimization_runs where id = 'a7100000-0000-4000-8000-000000000001'$$,
  'a run with a note, a star and changes can be deleted');
select is((select count(*)::int from run_notes) + (select count(*)::int from run_changes) + (select count(*)::int from run_stars), 0,
  'its note, stars and changes go with it');

select * from finish();
rollback;
