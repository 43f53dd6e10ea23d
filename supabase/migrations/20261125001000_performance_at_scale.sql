-- Performance at scale (bench/RESULTS.md): measured at 1,000,000 runs, one project with
-- 200,000 of them, 10,000,000 iterations and samples.
--
-- 1. The RLS helpers in PL/pgSQL. Same names, arguments and answers as in the tenancy
--    migration, but a LANGUAGE sql SECURITY DEFINER function is planned again for every
--    statement that calls it, and the nested helpers each paid that again: about 0.25 ms
--    per statement, more than the queries they guard. PL/pgSQL keeps its plans for the
--    session, and each helper now reads the claims and the memberships itself.
-- 2. The runs list's `total` without counting up to 10,001 rows: run counts per
--    (project, status, optimizer type) kept by triggers, and a per-project GIN index of
--    tags and config values (the global ones return every tenant's matches).
-- 3. An index for the runs list ordered by final_score without a status filter.
-- 4. The two SECURITY INVOKER helper functions without SET search_path, so they inline,
--    and the analytics' last refresh time in PL/pgSQL.

-- 1. RLS helpers -----------------------------------------------------------------------

create or replace function private.api_key_project(p_scope text default null) returns text
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_project text;
begin
  select k.project_id into v_project
  from public.api_keys k
  where k.id = (auth.jwt() ->> 'api_key_id')::uuid
    and k.revoked_at is null
    and (k.expires_at is null or k.expires_at > now())
    and (p_scope is null or p_scope = any (k.scopes));
  return v_project;
end
$$;

create or replace function private.member_project_ids(p_roles text[]) returns text[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_ids text[];
begin
  select coalesce(array_agg(m.project_id), '{}'::text[]) into v_ids
  from public.project_members m
  where m.user_id = auth.uid() and m.role = any (p_roles);
  return v_ids;
end
$$;

-- The four role helpers share one body: a live API key's project (with the scope asked
-- for) or the caller's memberships with one of the roles; API keys never administer.
create or replace function private.project_ids_for(p_roles text[], p_key_scope text, p_key_allowed boolean)
returns text[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_claims jsonb := auth.jwt();
  v_ids text[];
begin
  if v_claims ? 'api_key_id' then
    if not p_key_allowed then
      return '{}'::text[];
    end if;
    select coalesce(array_agg(k.project_id), '{}'::text[]) into v_ids
    from public.api_keys k
    where k.id = (v_claims ->> 'api_key_id')::uuid
      and k.revoked_at is null
      and (k.expires_at is null or k.expires_at > now())
      and (p_key_scope is null or p_key_scope = any (k.scopes));
    return v_ids;
  end if;
  select coalesce(array_agg(m.project_id), '{}'::text[]) into v_ids
  from public.project_members m
  where m.user_id = auth.uid() and m.role = any (p_roles);
  return v_ids;
end
$$;

create or replace function private.readable_project_ids() returns text[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.project_ids_for(array['owner', 'admin', 'member', 'viewer'], null, true);
end
$$;

create or replace function private.writable_project_ids() returns text[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.project_ids_for(array['owner', 'admin', 'member'], 'write', true);
end
$$;

create or replace function private.admin_project_ids() returns text[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.project_ids_for(array['owner', 'admin'], null, false);
end
$$;

create or replace function private.owner_project_ids() returns text[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.project_ids_for(array['owner'], null, false);
end
$$;

revoke all on function private.project_ids_for(text[], text, boolean) from public;
grant execute on function private.project_ids_for(text[], text, boolean) to authenticated, service_role;

-- 2. Run counts ---------------------------------------------------------------------------

create table private.run_counts (
  project_id text not null references public.project_config (id) on delete cascade,
  status text not null,
  optimizer_type text not null,
  runs bigint not null,
  primary key (project_id, status, optimizer_type)
);
-- Read and written only by the SECURITY DEFINER functions below.
alter table private.run_counts enable row level security;
revoke all on private.run_counts from public, anon, authenticated;

-- Adds deltas [{project_id, status, optimizer_type, runs}] to the counts (negative runs
-- subtract). Keys are locked in one order, so concurrent writers cannot deadlock on them;
-- a project being deleted (its counts go with it) is skipped.
create function private.add_run_counts(p_deltas jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.run_counts as c (project_id, status, optimizer_type, runs)
  select d.project_id, d.status, d.optimizer_type, sum(d.runs)
  from jsonb_to_recordset(p_deltas) as d(project_id text, status text, optimizer_type text, runs bigint)
  where exists (select 1 from public.project_config p where p.id = d.project_id)
  group by d.project_id, d.status, d.optimizer_type
  having sum(d.runs) <> 0
  order by d.project_id, d.status, d.optimizer_type
  on conflict (project_id, status, optimizer_type) do update set runs = c.runs + excluded.runs;
end
$$;

create function private.count_inserted_runs() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.add_run_counts((
    select jsonb_agg(jsonb_build_object('project_id', project_id, 'status', status,
                                        'optimizer_type', optimizer_type, 'runs', n))
    from (select project_id, status, optimizer_type, count(*) as n
          from inserted_runs group by 1, 2, 3) g
  ));
  return null;
end
$$;

create function private.count_deleted_runs() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.add_run_counts((
    select jsonb_agg(jsonb_build_object('project_id', project_id, 'status', status,
                                        'optimizer_type', optimizer_type, 'runs', -n))
    from (select project_id, status, optimizer_type, count(*) as n
          from deleted_runs group by 1, 2, 3) g
  ));
  return null;
end
$$;

-- Row level (and only when the status or optimizer changes): status changes come one run
-- at a time, and transition tables would rule out the column list.
create function private.count_updated_run() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.add_run_counts(jsonb_build_array(
    jsonb_build_object('project_id', old.project_id, 'status', old.status, 'optimizer_type', old.optimizer_type, 'runs', -1),
    jsonb_build_object('project_id', new.project_id, 'status', new.status, 'optimizer_type', new.optimizer_type, 'runs', 1)
  ));
  return null;
end
$$;

create function private.clear_run_counts() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from private.run_counts;
  return null;
end
$$;

create trigger trigger_count_inserted_runs
  after insert on public.optimization_runs
  referencing new table as inserted_runs
  for each statement execute function private.count_inserted_runs();
create trigger trigger_count_deleted_runs
  after delete on public.optimization_runs
  referencing old table as deleted_runs
  for each statement execute function private.count_deleted_runs();
create trigger trigger_count_updated_run
  after update of status, optimizer_type on public.optimization_runs
  for each row
  when (old.status is distinct from new.status or old.optimizer_type is distinct from new.optimizer_type)
  execute function private.count_updated_run();
create trigger trigger_clear_run_counts
  after truncate on public.optimization_runs
  for each statement execute function private.clear_run_counts();

-- Recounts from the runs themselves: for bulk loads that disable the triggers (the same
-- rule as private.recompute_run_statistics, DESIGN.md errata 7). Null: every project.
create function private.recompute_run_counts(p_project_ids text[] default null) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  delete from private.run_counts c where p_project_ids is null or c.project_id = any (p_project_ids);
  insert into private.run_counts (project_id, status, optimizer_type, runs)
  select r.project_id, r.status, r.optimizer_type, count(*)
  from public.optimization_runs r
  where p_project_ids is null or r.project_id = any (p_project_ids)
  group by 1, 2, 3;
end
$$;

insert into private.run_counts (project_id, status, optimizer_type, runs)
select project_id, status, optimizer_type, count(*) from public.optimization_runs group by 1, 2, 3;

revoke all on function private.add_run_counts(jsonb), private.count_inserted_runs(), private.count_deleted_runs(),
  private.count_updated_run(), private.clear_run_counts(), private.recompute_run_counts(text[])
  from public, anon, authenticated;

-- Filters per project. The GIN indexes on tags and config hold every tenant's entries: a
-- filter on a big project's common tag intersected ~300,000 rows of all tenants, then
-- checked them in the heap. This index holds a run's filterable facts as text entries
-- prefixed with its project, "<project>\x1f<kind>\x1f<value>" (status s, optimizer o,
-- tag t, and c for each scalar of the config with its path: {"miprov2": {"n": 10}}
-- gives c ["miprov2", "n"]\x1f10), so a filter reads only its own project's matches, and
-- array containment is exact: no row is re-checked. A project id has no \x1f (nor does
-- JSON text), so an entry names its project exactly.
--
-- For a config filter whose leaves are all scalars (what the API builds from dotted
-- paths), config @> filter holds iff every scalar of the filter appears in config at the
-- same path through objects with an equal value: jsonb containment compares a nested
-- scalar only with an equal scalar (not an array), and numbers by value (hence
-- trim_scale: 10 and 10.0 give the same entry).
create function private.config_entries(p_project_id text, p_config jsonb, p_path text[] default '{}')
returns text[]
language plpgsql immutable parallel safe set search_path = ''
as $$
declare
  v_out text[] := '{}';
  v_key text;
  v_value jsonb;
begin
  if jsonb_typeof(p_config) is distinct from 'object' then
    return v_out;
  end if;
  for v_key, v_value in select e.key, e.value from jsonb_each(p_config) e loop
    case jsonb_typeof(v_value)
      when 'object' then
        v_out := v_out || private.config_entries(p_project_id, v_value, p_path || v_key);
      when 'array' then
        null;
      else
        v_out := v_out || (p_project_id || E'\x1fc\x1f' || to_jsonb(p_path || v_key)::text || E'\x1f' ||
          case when jsonb_typeof(v_value) = 'number' then trim_scale((v_value #>> '{}')::numeric)::text
               else v_value::text end);
    end case;
  end loop;
  return v_out;
end
$$;

create function private.run_search_entries(
  p_project_id text, p_status text, p_optimizer_type text, p_tags text[], p_config jsonb
) returns text[]
language plpgsql immutable parallel safe set search_path = ''
as $$
declare
  v_out text[] := array[p_project_id || E'\x1fs\x1f' || p_status, p_project_id || E'\x1fo\x1f' || p_optimizer_type];
  v_tag text;
begin
  foreach v_tag in array coalesce(p_tags, '{}'::text[]) loop
    v_out := v_out || (p_project_id || E'\x1ft\x1f' || v_tag);
  end loop;
  return v_out || private.config_entries(p_project_id, p_config);
end
$$;

-- Whether a config filter has only scalar leaves under non-empty objects (then the
-- entries answer config @> filter exactly; anything else is counted the plain way).
create function private.config_filter_is_flat(p_filter jsonb) returns boolean
language plpgsql immutable parallel safe set search_path = ''
as $$
declare
  v_value jsonb;
begin
  if jsonb_typeof(p_filter) is distinct from 'object' or p_filter = '{}'::jsonb then
    return false;
  end if;
  for v_value in select e.value from jsonb_each(p_filter) e loop
    if jsonb_typeof(v_value) = 'array' or (jsonb_typeof(v_value) = 'object' and not private.config_filter_is_flat(v_value)) then
      return false;
    end if;
  end loop;
  return true;
end
$$;

-- evaluated by whoever writes runs (index expressions run as the writer)
revoke all on function private.config_entries(text, jsonb, text[]), private.config_filter_is_flat(jsonb),
  private.run_search_entries(text, text, text, text[], jsonb) from public, anon;
grant execute on function private.config_entries(text, jsonb, text[]), private.config_filter_is_flat(jsonb),
  private.run_search_entries(text, text, text, text[], jsonb) to authenticated, service_role;

create index idx_optimization_runs_search_entries
  on public.optimization_runs
  using gin (private.run_search_entries(project_id, status, optimizer_type, tags, config));

-- The runs list's total: count_optimization_runs' contract (the number of matching runs,
-- counted up to p_cap + 1; ordering and cursor ignored; nothing for a project the caller
-- cannot read). Only project, status and optimizer type: from the counts. Tags and config
-- (with any other filter of the list): counted through the search entries index.
-- Anything else: count_optimization_runs.
create function public.total_optimization_runs(p_filters jsonb, p_cap integer default 10000)
returns integer
language plpgsql stable security definer
set search_path = ''
as $$
declare
  v_project text := p_filters ->> 'projectId';
  v_limit bigint := greatest(coalesce(p_cap, 10000), 0)::bigint + 1;
  v_status text[];
  v_optimizer text[];
  v_tags text[];
  v_entries text[] := '{}';
  v_where text := '';
  v_total bigint;
begin
  if exists (
    select 1 from jsonb_object_keys(p_filters) k
    where k not in ('projectId', 'status', 'optimizerType', 'tags', 'config', 'minScore', 'maxScore',
                    'search', 'createdAfter', 'createdBefore', 'orderBy', 'orderDirection', 'cursorValue', 'cursorId')
  ) then
    return public.count_optimization_runs(p_filters, p_cap);
  end if;
  if v_project is null or not (v_project = any (private.readable_project_ids())) then
    return 0;
  end if;
  if jsonb_typeof(p_filters -> 'status') = 'array' then
    v_status := array(select jsonb_array_elements_text(p_filters -> 'status'));
  end if;
  if jsonb_typeof(p_filters -> 'optimizerType') = 'array' then
    v_optimizer := array(select jsonb_array_elements_text(p_filters -> 'optimizerType'));
  end if;
  if jsonb_typeof(p_filters -> 'tags') = 'array' then
    v_tags := array(select jsonb_array_elements_text(p_filters -> 'tags'));
  end if;

  if not (p_filters ?| array['tags', 'config', 'minScore', 'maxScore', 'search', 'createdAfter', 'createdBefore']) then
    select coalesce(sum(c.runs), 0) into v_total
    from private.run_counts c
    where c.project_id = v_project
      and (v_status is null or c.status = any (v_status))
      and (v_optimizer is null or c.optimizer_type = any (v_optimizer));
    return least(v_total, v_limit)::integer;
  end if;

  -- tags and a flat config (and then a single status or optimizer too) as entries of the
  -- search index; without either, the plain conditions and the project's btree indexes
  if cardinality(v_tags) > 0 then
    v_entries := v_entries || array(select v_project || E'\x1ft\x1f' || t from unnest(v_tags) t);
  end if;
  if p_filters ? 'config' then
    if private.config_filter_is_flat(p_filters -> 'config') then
      v_entries := v_entries || private.config_entries(v_project, p_filters -> 'config');
    else
      return public.count_optimization_runs(p_filters, p_cap);
    end if;
  end if;
  if cardinality(v_status) = 1 and cardinality(v_entries) > 0 then
    v_entries := v_entries || (v_project || E'\x1fs\x1f' || v_status[1]);
  elsif v_status is not null then
    v_where := v_where || ' and r.status = any ($2)';
  end if;
  if cardinality(v_optimizer) = 1 and cardinality(v_entries) > 0 then
    v_entries := v_entries || (v_project || E'\x1fo\x1f' || v_optimizer[1]);
  elsif v_optimizer is not null then
    v_where := v_where || ' and r.optimizer_type = any ($3)';
  end if;
  if cardinality(v_entries) > 0 then
    v_where := v_where || ' and private.run_search_entries(r.project_id, r.status, r.optimizer_type, r.tags, r.config) @> $4';
  else
    v_where := v_where || ' and r.project_id = $1';
  end if;
  if p_filters ? 'minScore' then v_where := v_where || ' and r.final_score >= $6'; end if;
  if p_filters ? 'maxScore' then v_where := v_where || ' and r.final_score <= $7'; end if;
  if p_filters ? 'search' then v_where := v_where || ' and r.run_name ilike $8'; end if;
  if p_filters ? 'createdAfter' then v_where := v_where || ' and r.created_at >= $9'; end if;
  if p_filters ? 'createdBefore' then v_where := v_where || ' and r.created_at < $10'; end if;
  execute 'select count(*) from (select from public.optimization_runs r where true' || v_where || ' limit $11) c'
  into v_total
  using v_project, v_status, v_optimizer, v_entries, null::jsonb,
        (p_filters ->> 'minScore')::numeric, (p_filters ->> 'maxScore')::numeric, p_filters ->> 'search',
        (p_filters ->> 'createdAfter')::timestamptz, (p_filters ->> 'createdBefore')::timestamptz, v_limit;
  return v_total::integer;
end
$$;

revoke all on function public.total_optimization_runs(jsonb, integer) from public, anon;
grant execute on function public.total_optimization_runs(jsonb, integer) to authenticated, service_role;

-- 3. Index ---------------------------------------------------------------------------------

-- The runs list ordered by final_score (best first) over all statuses; the leaderboard's
-- partial index only serves status = 'completed'.
create index idx_optimization_runs_final_score
  on public.optimization_runs (project_id, final_score desc nulls last, id desc);

-- 4. The helper functions inlined ----------------------------------------------------------

-- get_optimization_run_summary and get_top_runs_by_score, unchanged but for their SET
-- search_path: a SQL function with a SET clause is planned again on every call and never
-- inlined (0.7 ms for a one-row summary; 0.27 ms inlined into the caller's query). Both
-- are SECURITY INVOKER: they run with the caller's own rights and RLS, so a search_path the
-- caller chose cannot lend them anyone else's; their tables are schema-qualified.
create or replace function public.get_optimization_run_summary(p_run_id uuid)
returns table (
  run_id uuid,
  project_id text,
  run_name text,
  optimizer_type text,
  status text,
  tags text[],
  initial_score numeric,
  final_score numeric,
  best_score numeric,
  improvement numeric,
  improvement_pct numeric,
  iterations integer,
  best_iteration integer,
  best_iteration_score numeric,
  samples_evaluated integer,
  samples_successful integer,
  samples_failed integer,
  success_rate numeric,
  total_tokens bigint,
  total_cost_usd numeric,
  avg_latency_ms numeric,
  started_at timestamptz,
  ended_at timestamptz,
  duration_ms bigint,
  created_at timestamptz,
  updated_at timestamptz
)
language sql stable security invoker
as $$
  select r.id, r.project_id, r.run_name, r.optimizer_type, r.status, r.tags,
         r.initial_score, r.final_score, r.best_score, r.improvement, r.improvement_pct,
         r.iterations, b.iteration, b.score,
         r.samples_evaluated, r.samples_successful, r.samples_failed,
         case when r.samples_evaluated > 0
           then round(r.samples_successful::numeric / r.samples_evaluated, 4) end,
         r.total_tokens, r.total_cost_usd, r.avg_latency_ms,
         r.started_at, r.ended_at, r.duration_ms, r.created_at, r.updated_at
  from public.optimization_runs r
  left join public.optimization_iterations b on b.run_id = r.id and b.is_best
  where r.id = p_run_id
$$;

create or replace function public.get_top_runs_by_score(p_project_id text, p_limit integer default 10)
returns table (
  id uuid,
  run_name text,
  optimizer_type text,
  status text,
  tags text[],
  initial_score numeric,
  final_score numeric,
  best_score numeric,
  improvement numeric,
  improvement_pct numeric,
  iterations integer,
  total_cost_usd numeric,
  duration_ms bigint,
  created_at timestamptz
)
language sql stable security invoker
as $$
  select r.id, r.run_name, r.optimizer_type, r.status, r.tags, r.initial_score,
         r.final_score, r.best_score, r.improvement, r.improvement_pct, r.iterations,
         r.total_cost_usd, r.duration_ms, r.created_at
  from public.optimization_runs r
  where r.project_id = p_project_id
    and r.status = 'completed'
  order by r.final_score desc nulls last, r.created_at desc, r.id desc
  limit least(greatest(coalesce(p_limit, 10), 1), 100)
$$;

-- The analytics' last refresh time, read with every analytics request: PL/pgSQL keeps its
-- plan (SECURITY DEFINER needs its SET search_path, which rules out inlining).
create or replace function public.get_optimization_analytics_last_refresh()
returns timestamptz
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_at timestamptz;
begin
  select max(r.refreshed_at) into v_at from public.optimization_analytics_refreshes r;
  return v_at;
end
$$;
