-- Run analysis (issue 16): a Markdown note per run, starred runs, saved views shared with a
-- project's members, and an audit of who renamed, retagged, annotated or re-statused a run.
-- Every table is project-owned: project_id in every key, (run_id, project_id) references
-- the run, row-level security as the other run tables.

-- Notes ------------------------------------------------------------------------------------

create table public.run_notes (
  project_id text not null,
  run_id uuid not null,
  body text not null
    constraint run_notes_body_length check (char_length(body) <= 100000),
  updated_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint run_notes_pkey primary key (project_id, run_id),
  constraint run_notes_run_fkey foreign key (project_id, run_id)
    references public.optimization_runs (project_id, id) on delete cascade
);

-- Stars: one user's bookmark of a run (viewers may star too: it changes no run) ------------

create table public.run_stars (
  project_id text not null,
  run_id uuid not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),

  constraint run_stars_pkey primary key (project_id, run_id, user_id),
  constraint run_stars_run_fkey foreign key (project_id, run_id)
    references public.optimization_runs (project_id, id) on delete cascade
);
create index idx_run_stars_user on public.run_stars (user_id, project_id);

-- Saved views: a named set of filters, columns, sort and grouping, shared in the project ---

create table public.saved_views (
  project_id text not null references public.project_config (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null
    constraint saved_views_name_length check (char_length(btrim(name)) between 1 and 100),
  -- {filters, columns, sort, groupBy}: validated by the data layer's schema
  definition jsonb not null default '{}'::jsonb
    constraint saved_views_definition_object check (jsonb_typeof(definition) = 'object'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint saved_views_pkey primary key (project_id, id),
  constraint saved_views_name_unique unique (project_id, name)
);

-- The audit: who changed what and when (written by triggers only) --------------------------

create table public.run_changes (
  project_id text not null,
  run_id uuid not null,
  id bigint generated always as identity,
  field text not null
    constraint run_changes_field_check check (field in ('run_name', 'tags', 'status', 'note')),
  old_value jsonb,
  new_value jsonb,
  changed_by uuid references auth.users (id) on delete set null,
  api_key_id uuid,
  changed_at timestamptz not null default now(),

  constraint run_changes_pkey primary key (project_id, run_id, id),
  constraint run_changes_run_fkey foreign key (project_id, run_id)
    references public.optimization_runs (project_id, id) on delete cascade
);

-- The caller as the claims name it: a user (sub) or an API key (api_key_id).
create function private.record_run_change(p_project text, p_run uuid, p_field text, p_old jsonb, p_new jsonb)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.run_changes (project_id, run_id, field, old_value, new_value, changed_by, api_key_id)
  values (p_project, p_run, p_field, p_old, p_new,
          nullif(auth.jwt() ->> 'sub', '')::uuid, nullif(auth.jwt() ->> 'api_key_id', '')::uuid);
end
$$;

create function private.audit_run_update() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.run_name is distinct from old.run_name then
    perform private.record_run_change(new.project_id, new.id, 'run_name', to_jsonb(old.run_name), to_jsonb(new.run_name));
  end if;
  if new.tags is distinct from old.tags then
    perform private.record_run_change(new.project_id, new.id, 'tags', to_jsonb(old.tags), to_jsonb(new.tags));
  end if;
  if new.status is distinct from old.status then
    perform private.record_run_change(new.project_id, new.id, 'status',
      to_jsonb(old.status), jsonb_build_object('status', new.status, 'error', new.error_message));
  end if;
  return null;
end
$$;

create trigger trigger_audit_run_update
  after update of run_name, tags, status on public.optimization_runs
  for each row execute function private.audit_run_update();

create function private.audit_run_note() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    -- a note deleted with its run leaves nothing to audit (nor a run to reference)
    if exists (select 1 from public.optimization_runs where project_id = old.project_id and id = old.run_id) then
      perform private.record_run_change(old.project_id, old.run_id, 'note', to_jsonb(old.body), null);
    end if;
    return null;
  end if;
  if tg_op = 'UPDATE' and new.body is not distinct from old.body then
    return null;
  end if;
  perform private.record_run_change(new.project_id, new.run_id, 'note',
    case when tg_op = 'UPDATE' then to_jsonb(old.body) end, to_jsonb(new.body));
  return null;
end
$$;

create trigger trigger_audit_run_note
  after insert or update or delete on public.run_notes
  for each row execute function private.audit_run_note();

-- Triggers, grants and row-level security ------------------------------------------------------

create trigger trigger_update_run_notes_updated_at before update on public.run_notes
  for each row execute function public.update_optimization_runs_updated_at();
create trigger trigger_update_saved_views_updated_at before update on public.saved_views
  for each row execute function public.update_optimization_runs_updated_at();
create trigger trigger_prevent_tenant_change before update of project_id, run_id on public.run_notes
  for each row execute function private.prevent_tenant_change();
create trigger trigger_prevent_tenant_change before update of project_id, run_id on public.run_stars
  for each row execute function private.prevent_tenant_change();
create trigger trigger_prevent_tenant_change_views before update of project_id on public.saved_views
  for each row execute function private.prevent_tenant_change();

alter table public.run_notes enable row level security;
alter table public.run_stars enable row level security;
alter table public.saved_views enable row level security;
alter table public.run_changes enable row level security;
revoke all on public.run_notes, public.run_stars, public.saved_views, public.run_changes from anon;
grant select, insert, update, delete on public.run_notes, public.saved_views to authenticated, service_role;
grant select, insert, delete on public.run_stars to authenticated, service_role;
-- the audit is read-only for everyone but its triggers
grant select on public.run_changes to authenticated, service_role;

create policy "Service role has full access" on public.run_notes
  for all to service_role using (true) with check (true);
create policy "Users can manage own project run_notes" on public.run_notes
  for all to authenticated
  using (project_id = any (private.readable_project_ids()))
  with check (project_id = any (private.writable_project_ids()));
create policy "Only writers can update run_notes" on public.run_notes
  as restrictive for update to authenticated
  using (project_id = any (private.writable_project_ids()));
create policy "Only writers can delete run_notes" on public.run_notes
  as restrictive for delete to authenticated
  using (project_id = any (private.writable_project_ids()));

create policy "Service role has full access" on public.saved_views
  for all to service_role using (true) with check (true);
create policy "Users can manage own project saved_views" on public.saved_views
  for all to authenticated
  using (project_id = any (private.readable_project_ids()))
  with check (project_id = any (private.writable_project_ids()));
create policy "Only writers can update saved_views" on public.saved_views
  as restrictive for update to authenticated
  using (project_id = any (private.writable_project_ids()));
create policy "Only writers can delete saved_views" on public.saved_views
  as restrictive for delete to authenticated
  using (project_id = any (private.writable_project_ids()));

-- A user sees and sets only their own stars, in projects they can read.
create policy "Service role has full access" on public.run_stars
  for all to service_role using (true) with check (true);
create policy "Users can manage own stars" on public.run_stars
  for all to authenticated
  using (user_id = auth.uid() and project_id = any (private.readable_project_ids()))
  with check (user_id = auth.uid() and project_id = any (private.readable_project_ids()));

create policy "Service role has full access" on public.run_changes
  for all to service_role using (true) with check (true);
create policy "Users can read own project run_changes" on public.run_changes
  for select to authenticated
  using (project_id = any (private.readable_project_ids()));

revoke all on function private.record_run_change(text, uuid, text, jsonb, jsonb), private.audit_run_update(),
  private.audit_run_note() from public, anon, authenticated;
