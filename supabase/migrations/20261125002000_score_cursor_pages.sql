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
create or replace function public.search_optimization_runs(p_filters jsonb, p_limit integer default 20, p_offset integer default 0)
returns table (id uuid, sort_value text)
language plpgsql stable security definer rows 50
set search_path = ''
as $$
declare
  v_project text := p_filters ->> 'projectId';
  v_order text := coalesce(p_filters ->> 'orderBy', 'created_at');
  v_desc boolean := coalesce(p_filters ->> 'orderDirection', 'desc') = 'desc';
  v_dir text := case when coalesce(p_filters ->> 'orderDirection', 'desc') = 'desc' then 'desc' else 'asc' end;
  v_order_by text;
  v_sql text;
begin
  if v_project is null or not (v_project = any (private.readable_project_ids())) then
    return;
  end if;
  if v_order <> 'created_at' and p_filters ? 'cursorId' and (p_filters ->> 'cursorValue') is not null then
    -- run_search_where validates v_order (an unknown column raises before format runs)
    v_sql := format(
      'select s.id, s.v::text from ('
      || '(select 0 as part, r.id, r.%1$I as v from public.optimization_runs r'
      || ' where %2$s and (r.%1$I, r.id) %3$s ($11::text::numeric, $12::uuid)'
      || ' order by r.%1$I %5$s, r.id %4$s limit $13 + $14)'
      || ' union all '
      || '(select 1 as part, r.id, null::numeric from public.optimization_runs r'
      || ' where %2$s and r.%1$I is null order by r.id %4$s limit $13 + $14)'
      || ') s order by s.part, s.v %4$s, s.id %4$s limit $13 offset $14',
      v_order, private.run_search_where(p_filters, false), case when v_desc then '<' else '>' end, v_dir,
      -- the index's own order (this part has no NULLs): desc nulls last, or read backwards
      case when v_desc then 'desc nulls last' else 'asc nulls first' end);
  else
    v_order_by := case
      when v_order = 'created_at' and v_desc then 'r.created_at desc, r.id desc'
      when v_order = 'created_at' then 'r.created_at asc, r.id asc'
      when v_desc then format('r.%I desc nulls last, r.id desc', v_order)
      else format('r.%I asc nulls last, r.id asc', v_order)
    end;
    v_sql := format(
      'select r.id, r.%I::text from public.optimization_runs r where %s order by %s limit $13 offset $14',
      v_order, private.run_search_where(p_filters, true), v_order_by);
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
        greatest(coalesce(p_offset, 0), 0);
end
$$;

-- create or replace keeps the grants of 20261125000500_run_search.sql
