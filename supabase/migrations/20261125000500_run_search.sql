-- Run search for the runs list. Under RLS PostgreSQL evaluates a caller's own conditions
-- only after the policy's, unless their operators are leakproof; `@>` on arrays and
-- jsonb is not, so a member's tag and config filters could never use the GIN indexes.
-- These SECURITY DEFINER functions check the caller's access to the project first and
-- then run the search with explicit filters, planned with the real values; the rows
-- themselves are read back through RLS by the caller (see lib/supabase-optimization).

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
  v_desc boolean := coalesce(p_filters ->> 'orderDirection', 'desc') = 'desc';
  v_cmp text;
  v_cast text;
begin
  if v_order not in ('created_at', 'final_score', 'improvement', 'duration_ms', 'total_cost_usd') then
    raise exception 'orderBy must be one of created_at, final_score, improvement, duration_ms, total_cost_usd'
      using errcode = '22023';
  end if;
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
    v_cast := case when v_order = 'created_at' then 'timestamptz' else 'numeric' end;
    if v_order = 'created_at' then
      v_where := v_where || format(' and (r.created_at, r.id) %s ($11::text::timestamptz, $12::uuid)', v_cmp);
    elsif p_filters -> 'cursorValue' is null or jsonb_typeof(p_filters -> 'cursorValue') = 'null' then
      v_where := v_where || format(' and r.%I is null and r.id %s $12::uuid', v_order, v_cmp);
    else
      v_where := v_where || format(
        ' and (r.%1$I %2$s $11::text::%3$s or (r.%1$I = $11::text::%3$s and r.id %2$s $12::uuid) or r.%1$I is null)',
        v_order, v_cmp, v_cast);
    end if;
  end if;
  return v_where;
end
$$;

-- One page of a project's runs: ids in order (read them WITH ORDINALITY) with the sort
-- column's value as text (the keyset cursor). Nothing for a project the caller cannot read.
create function public.search_optimization_runs(p_filters jsonb, p_limit integer default 20, p_offset integer default 0)
returns table (id uuid, sort_value text)
language plpgsql stable security definer rows 50
set search_path = ''
as $$
declare
  v_project text := p_filters ->> 'projectId';
  v_order text := coalesce(p_filters ->> 'orderBy', 'created_at');
  v_desc boolean := coalesce(p_filters ->> 'orderDirection', 'desc') = 'desc';
  v_order_by text;
begin
  if v_project is null or not (v_project = any (private.readable_project_ids())) then
    return;
  end if;
  v_order_by := case
    when v_order = 'created_at' and v_desc then 'r.created_at desc, r.id desc'
    when v_order = 'created_at' then 'r.created_at asc, r.id asc'
    when v_desc then format('r.%I desc nulls last, r.id desc', v_order)
    else format('r.%I asc nulls last, r.id asc', v_order)
  end;
  return query execute format(
    'select r.id, r.%I::text from public.optimization_runs r where %s order by %s limit $13 offset $14',
    v_order, private.run_search_where(p_filters, true), v_order_by)
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
        greatest(coalesce(p_offset, 0), 0);
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
revoke all on function public.search_optimization_runs(jsonb, integer, integer) from public, anon;
revoke all on function public.count_optimization_runs(jsonb, integer) from public, anon;
grant execute on function public.search_optimization_runs(jsonb, integer, integer) to authenticated, service_role;
grant execute on function public.count_optimization_runs(jsonb, integer) to authenticated, service_role;
