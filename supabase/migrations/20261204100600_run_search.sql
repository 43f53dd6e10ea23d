-- Run search for the runs list. Under RLS PostgreSQL evaluates a caller's own conditions
-- only after the policy's, unless their operators are leakproof; `@>` on arrays and
-- jsonb is not, so a member's tag and config filters could never use the GIN indexes.
-- These SECURITY DEFINER functions check the caller's access to the project first and
-- then run the search with explicit filters, planned with the real values; the rows
-- themselves are read back through RLS by the caller (see lib/supabase-optimization).
--
-- The runs list sorts by name, status and optimizer, and by one config value
-- ("config.<dotted path>"), with the same keyset cursor as the other columns.
-- Text columns sort in byte order (collate "C"): the same on every server and in the
-- client's tests. A config value sorts as jsonb does (strings < numbers < booleans);
-- runs without the key come last, like NULL scores.

-- The SQL expression a runs list orders by; raises for anything else (so a column name
-- is never spliced in unchecked). A config path is the positional parameter $15.
create function private.run_order_expr(p_order text)
returns text
language plpgsql immutable
set search_path = ''
as $$
begin
  if p_order in ('created_at', 'final_score', 'improvement', 'duration_ms', 'total_cost_usd', 'status', 'optimizer_type') then
    return format('r.%I', p_order);
  elsif p_order = 'run_name' then
    return 'r.run_name collate "C"';
  elsif p_order ~ '^config\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,7}$' then
    return '(r.config #> $15::text[])';
  end if;
  raise exception 'orderBy must be one of created_at, final_score, improvement, duration_ms, total_cost_usd, run_name, status, optimizer_type or config.<path>'
    using errcode = '22023';
end
$$;

-- The type a cursor value is read back as, and whether the sort expression can be NULL.
create function private.run_order_type(p_order text)
returns text
language plpgsql immutable
set search_path = ''
as $$
begin
  return case
    when p_order = 'created_at' then 'timestamptz'
    when p_order in ('final_score', 'improvement', 'duration_ms', 'total_cost_usd') then 'numeric'
    when p_order like 'config.%' then 'jsonb'
    else 'text'
  end;
end
$$;

-- The WHERE clause for a filter object. Values are never spliced in: the clause refers to
-- the positional parameters both functions below pass in the same order.
create function private.run_search_where(p_filters jsonb, p_with_cursor boolean)
returns text
language plpgsql immutable
set search_path = ''
as $$
declare
  v_where text := 'r.project_id = $1';
  v_order text := coalesce(p_filters ->> 'orderBy', 'created_at');
  v_expr text := private.run_order_expr(coalesce(p_filters ->> 'orderBy', 'created_at'));
  v_type text := private.run_order_type(coalesce(p_filters ->> 'orderBy', 'created_at'));
  v_desc boolean := coalesce(p_filters ->> 'orderDirection', 'desc') = 'desc';
  v_cmp text;
begin
  if jsonb_array_length(coalesce(p_filters -> 'status', '[]')) = 1 then
    v_where := v_where || ' and r.status = ($2::text[])[1]';
  elsif jsonb_array_length(coalesce(p_filters -> 'status', '[]')) > 1 then
    v_where := v_where || ' and r.status = any ($2::text[])';
  end if;
  if jsonb_array_length(coalesce(p_filters -> 'optimizerType', '[]')) = 1 then
    v_where := v_where || ' and r.optimizer_type = ($3::text[])[1]';
  elsif jsonb_array_length(coalesce(p_filters -> 'optimizerType', '[]')) > 1 then
    v_where := v_where || ' and r.optimizer_type = any ($3::text[])';
  end if;
  if jsonb_array_length(coalesce(p_filters -> 'tags', '[]')) > 0 then
    v_where := v_where || ' and r.tags @> $4::text[]';
  end if;
  if p_filters ? 'config' then
    v_where := v_where || ' and r.config @> $5::jsonb';
  end if;
  if p_filters ? 'minScore' then
    v_where := v_where || ' and r.final_score >= $6::numeric';
  end if;
  if p_filters ? 'maxScore' then
    v_where := v_where || ' and r.final_score <= $7::numeric';
  end if;
  if p_filters ? 'search' then
    v_where := v_where || ' and r.run_name ilike $8::text';
  end if;
  if p_filters ? 'createdAfter' then
    v_where := v_where || ' and r.created_at >= $9::timestamptz';
  end if;
  if p_filters ? 'createdBefore' then
    v_where := v_where || ' and r.created_at < $10::timestamptz';
  end if;
  if p_with_cursor and p_filters ? 'cursorId' then
    v_cmp := case when v_desc then '<' else '>' end;
    if v_type in ('timestamptz', 'text') then
      -- never NULL
      v_where := v_where || format(' and (%1$s, r.id) %2$s ($11::text::%3$s, $12::uuid)', v_expr, v_cmp, v_type);
    elsif p_filters -> 'cursorValue' is null or jsonb_typeof(p_filters -> 'cursorValue') = 'null' then
      v_where := v_where || format(' and %1$s is null and r.id %2$s $12::uuid', v_expr, v_cmp);
    else
      v_where := v_where || format(
        ' and (%1$s %2$s $11::text::%3$s or (%1$s = $11::text::%3$s and r.id %2$s $12::uuid) or %1$s is null)',
        v_expr, v_cmp, v_type);
    end if;
  end if;
  return v_where;
end
$$;

-- Keyset pages ordered by a numeric column (final_score, improvement, duration_ms,
-- total_cost_usd) after a cursor with a value.
--
-- The order is "<column> desc|asc nulls last, id desc|asc", so the rows after a cursor
-- (v, id) are the non-null ones past (v, id), then every NULL. As one condition that is an
-- OR ("col < v or (col = v and id < $id) or col is null"), which no index range can serve:
-- page 500 of a 200,000-run project ordered by final_score skipped 10,000 index entries
-- (8 ms). Here the two parts are two queries: a row comparison, which bounds the scan of
-- (project_id, final_score desc nulls last, id desc), then the NULLs by id; each is
-- limited, and the union is put in order by part, value and id (a sort of at most twice
-- the page). Under RLS a numeric comparison is not leakproof and could not bound the index
-- either, so the data layer reads these pages through this SECURITY DEFINER function,
-- which checks access first, as it does for tag and config filters.
create function public.search_optimization_runs(p_filters jsonb, p_limit integer default 20, p_offset integer default 0)
returns table (id uuid, sort_value text)
language plpgsql stable security definer rows 50
set search_path = ''
as $$
declare
  v_project text := p_filters ->> 'projectId';
  v_order text := coalesce(p_filters ->> 'orderBy', 'created_at');
  v_expr text;
  v_type text;
  v_desc boolean := coalesce(p_filters ->> 'orderDirection', 'desc') = 'desc';
  v_dir text := case when coalesce(p_filters ->> 'orderDirection', 'desc') = 'desc' then 'desc' else 'asc' end;
  v_path text[];
  v_sql text;
begin
  if v_project is null or not (v_project = any (private.readable_project_ids())) then
    return;
  end if;
  v_expr := private.run_order_expr(v_order);
  v_type := private.run_order_type(v_order);
  if v_order like 'config.%' then
    v_path := string_to_array(substr(v_order, 8), '.');
  end if;
  if v_type in ('numeric', 'jsonb') and p_filters ? 'cursorId' and (p_filters ->> 'cursorValue') is not null then
    -- a nullable column after a cursor with a value: the rows past it, then every NULL
    -- (two bounded scans instead of one OR; see 20261125002000_score_cursor_pages)
    v_sql := format(
      'select s.id, s.v::text from ('
      || '(select 0 as part, r.id, %1$s as v from public.optimization_runs r'
      || ' where %2$s and (%1$s, r.id) %3$s ($11::text::%6$s, $12::uuid)'
      || ' order by %1$s %5$s, r.id %4$s limit $13 + $14)'
      || ' union all '
      || '(select 1 as part, r.id, null::%6$s from public.optimization_runs r'
      || ' where %2$s and %1$s is null order by r.id %4$s limit $13 + $14)'
      || ') s order by s.part, s.v %4$s, s.id %4$s limit $13 offset $14',
      v_expr, private.run_search_where(p_filters, false), case when v_desc then '<' else '>' end, v_dir,
      case when v_desc then 'desc nulls last' else 'asc nulls first' end, v_type);
  else
    v_sql := format(
      'select r.id, (%1$s)::text from public.optimization_runs r where %2$s order by %1$s %3$s, r.id %4$s limit $13 offset $14',
      v_expr, private.run_search_where(p_filters, true),
      case when v_type in ('timestamptz', 'text') then v_dir else v_dir || ' nulls last' end, v_dir);
  end if;
  return query execute v_sql
  using v_project,
        array(select jsonb_array_elements_text(coalesce(p_filters -> 'status', '[]'))),
        array(select jsonb_array_elements_text(coalesce(p_filters -> 'optimizerType', '[]'))),
        array(select jsonb_array_elements_text(coalesce(p_filters -> 'tags', '[]'))),
        p_filters -> 'config',
        (p_filters ->> 'minScore')::numeric,
        (p_filters ->> 'maxScore')::numeric,
        p_filters ->> 'search',
        (p_filters ->> 'createdAfter')::timestamptz,
        (p_filters ->> 'createdBefore')::timestamptz,
        p_filters ->> 'cursorValue',
        (p_filters ->> 'cursorId')::uuid,
        least(greatest(coalesce(p_limit, 20), 1), 1001),
        greatest(coalesce(p_offset, 0), 0),
        v_path;
end
$$;

-- How many runs match (cursor ignored), counted up to p_cap + 1 so a huge project stays
-- cheap: a result above p_cap means "more than p_cap".
create function public.count_optimization_runs(p_filters jsonb, p_cap integer default 10000)
returns integer
language plpgsql stable security definer
set search_path = ''
as $$
declare
  v_project text := p_filters ->> 'projectId';
  v_count integer;
begin
  if v_project is null or not (v_project = any (private.readable_project_ids())) then
    return 0;
  end if;
  execute format(
    'select count(*)::integer from (select 1 from public.optimization_runs r where %s limit $13) capped',
    private.run_search_where(p_filters, false))
  into v_count
  using v_project,
        array(select jsonb_array_elements_text(coalesce(p_filters -> 'status', '[]'))),
        array(select jsonb_array_elements_text(coalesce(p_filters -> 'optimizerType', '[]'))),
        array(select jsonb_array_elements_text(coalesce(p_filters -> 'tags', '[]'))),
        p_filters -> 'config',
        (p_filters ->> 'minScore')::numeric,
        (p_filters ->> 'maxScore')::numeric,
        p_filters ->> 'search',
        (p_filters ->> 'createdAfter')::timestamptz,
        (p_filters ->> 'createdBefore')::timestamptz,
        null::text,
        null::uuid,
        greatest(coalesce(p_cap, 10000), 0) + 1;
  return v_count;
end
$$;

revoke all on function private.run_search_where(jsonb, boolean) from public, anon, authenticated;
revoke all on function private.run_order_expr(text) from public, anon, authenticated;
revoke all on function private.run_order_type(text) from public, anon, authenticated;
revoke all on function public.search_optimization_runs(jsonb, integer, integer) from public, anon;
revoke all on function public.count_optimization_runs(jsonb, integer) from public, anon;
grant execute on function public.search_optimization_runs(jsonb, integer, integer) to authenticated, service_role;
grant execute on function public.count_optimization_runs(jsonb, integer) to authenticated, service_role;

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
-- A status or optimizer type that most of a project's runs share is checked on the rows
-- instead of joining the search entries ("completed": 158,000 of bench-big's 200,000 runs;
-- its posting list cost more to decode than the count saved).
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
  v_all bigint := 0;
  v_with_status bigint := 0;
  v_with_optimizer bigint := 0;
  v_entry_count integer;
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
  -- a status or optimizer type joins the entries only when it narrows: one that most of
  -- the project's runs share has a long posting list ("completed": 158,000 of 200,000
  -- runs), which costs more to read than checking the condition on the rows the other
  -- entries select (the run counts tell, at no cost)
  if cardinality(v_entries) > 0 and (cardinality(v_status) = 1 or cardinality(v_optimizer) = 1) then
    select coalesce(sum(c.runs), 0),
           coalesce(sum(c.runs) filter (where c.status = v_status[1]), 0),
           coalesce(sum(c.runs) filter (where c.optimizer_type = v_optimizer[1]), 0)
      into v_all, v_with_status, v_with_optimizer
    from private.run_counts c
    where c.project_id = v_project;
  end if;
  v_entry_count := cardinality(v_entries);
  if cardinality(v_status) = 1 and v_entry_count > 0 and v_with_status * 2 <= v_all then
    v_entries := v_entries || (v_project || E'\x1fs\x1f' || v_status[1]);
  elsif v_status is not null then
    v_where := v_where || ' and r.status = any ($2)';
  end if;
  if cardinality(v_optimizer) = 1 and v_entry_count > 0 and v_with_optimizer * 2 <= v_all then
    v_entries := v_entries || (v_project || E'\x1fo\x1f' || v_optimizer[1]);
  elsif v_optimizer is not null then
    v_where := v_where || ' and r.optimizer_type = any ($3)';
  end if;
  -- the project always named, so that Citus sends the count to the project's shard only
  if cardinality(v_entries) > 0 then
    v_where := v_where || ' and r.project_id = $1 and private.run_search_entries(r.project_id, r.status, r.optimizer_type, r.tags, r.config) @> $4';
  else
    v_where := v_where || ' and r.project_id = $1';
  end if;
  if p_filters ? 'minScore' then v_where := v_where || ' and r.final_score >= $6'; end if;
  if p_filters ? 'maxScore' then v_where := v_where || ' and r.final_score <= $7'; end if;
  if p_filters ? 'search' then v_where := v_where || ' and r.run_name ilike $8'; end if;
  if p_filters ? 'createdAfter' then v_where := v_where || ' and r.created_at >= $9'; end if;
  if p_filters ? 'createdBefore' then v_where := v_where || ' and r.created_at < $10'; end if;
  -- (a select list, not an empty one: Citus deparses `select from` into a query the worker refuses)
  execute 'select count(*) from (select 1 from public.optimization_runs r where true' || v_where || ' limit $11) c'
  into v_total
  using v_project, v_status, v_optimizer, v_entries, null::jsonb,
        (p_filters ->> 'minScore')::numeric, (p_filters ->> 'maxScore')::numeric, p_filters ->> 'search',
        (p_filters ->> 'createdAfter')::timestamptz, (p_filters ->> 'createdBefore')::timestamptz, v_limit;
  return v_total::integer;
end
$$;

revoke all on function public.total_optimization_runs(jsonb, integer) from public, anon;
grant execute on function public.total_optimization_runs(jsonb, integer) to authenticated, service_role;
