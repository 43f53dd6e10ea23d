-- The runs list sorts by name, status and optimizer, and by one config value
-- ("config.<dotted path>"), with the same keyset cursor as the other columns.
-- Text columns sort in byte order (collate "C"): the same on every server and in the
-- client's tests. A config value sorts as jsonb does (strings < numbers < booleans);
-- runs without the key come last, like NULL scores.

-- The SQL expression a runs list orders by; raises for anything else (so a column name
-- is never spliced in unchecked). A config path is the positional parameter $15.
create or replace function private.run_order_expr(p_order text)
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
create or replace function private.run_order_type(p_order text)
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

create or replace function private.run_search_where(p_filters jsonb, p_with_cursor boolean)
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

create or replace function public.search_optimization_runs(p_filters jsonb, p_limit integer default 20, p_offset integer default 0)
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

revoke all on function private.run_order_expr(text) from public, anon, authenticated;
revoke all on function private.run_order_type(text) from public, anon, authenticated;
-- create or replace keeps the grants of search_optimization_runs and run_search_where
