-- The runs list's total with several filters: a status or optimizer type that most of a
-- project's runs share is checked on the rows instead of joining the search entries.
--
-- total_optimization_runs (20261125001000) counted a filter of tags or config with a
-- single status through the search entries index with the status's entry added. For a
-- common status that made the count slower, not faster: "completed" holds 158,000 of
-- bench-big's 200,000 runs, and the bitmap index scan decoded its whole posting list to
-- intersect it with the others (status + tag + config + score range: ~15 ms). Now the
-- entry is used only when at most half of the project's runs have that status (or
-- optimizer type); otherwise the condition filters the rows the other entries select,
-- which the count stops reading at its cap. Unchanged otherwise (the grants stay).

create or replace function public.total_optimization_runs(p_filters jsonb, p_cap integer default 10000)
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
