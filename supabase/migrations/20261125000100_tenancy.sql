-- Tenancy: projects, their members and their API keys, and the RLS helpers every
-- project-owned table's policies call.

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

create table public.project_config (
  id text primary key
    constraint project_config_id_format check (id ~ '^[a-z0-9][a-z0-9_-]{2,62}$'),
  name text not null
    constraint project_config_name_length check (char_length(btrim(name)) between 1 and 200),
  description text
    constraint project_config_description_length check (char_length(description) <= 2000),
  settings jsonb not null default '{}'::jsonb
    constraint project_config_settings_object check (jsonb_typeof(settings) = 'object'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.project_members (
  project_id text not null references public.project_config (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'member'
    constraint project_members_role_check check (role in ('owner', 'admin', 'member', 'viewer')),
  created_at timestamptz not null default now(),
  primary key (project_id, user_id)
);
-- The RLS helpers look memberships up by user.
create index idx_project_members_user_id on public.project_members (user_id, project_id, role);

create table public.api_keys (
  id uuid primary key default gen_random_uuid(),
  project_id text not null references public.project_config (id) on delete cascade,
  name text not null
    constraint api_keys_name_length check (char_length(btrim(name)) between 1 and 100),
  key_hash text not null unique
    constraint api_keys_key_hash_format check (key_hash ~ '^[0-9a-f]{64}$'),
  key_prefix text not null
    constraint api_keys_key_prefix_length check (char_length(key_prefix) between 4 and 40),
  scopes text[] not null default array['read', 'write']
    constraint api_keys_scopes_check check (
      cardinality(scopes) between 1 and 2 and scopes <@ array['read', 'write']
    ),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz
);
create index idx_api_keys_project_id on public.api_keys (project_id, created_at desc);

-- RLS helpers. SECURITY DEFINER so a policy's membership lookup does not itself go
-- through RLS; in the non-exposed schema `private`; called as `(select ...)` by the
-- policies so each runs once per statement (an initplan), not once per row.
-- An API-key request carries `api_key_id` in its claims (set by the server after it
-- checked the key's hash); the key is re-checked here, so revoking it takes effect at once.

-- The project of the API key named in the caller's claims, if that key is live and has
-- the scope asked for (any scope when p_scope is null).
create function private.api_key_project(p_scope text default null) returns text
language sql stable security definer set search_path = ''
as $$
  select k.project_id
  from public.api_keys k
  where k.id = (auth.jwt() ->> 'api_key_id')::uuid
    and k.revoked_at is null
    and (k.expires_at is null or k.expires_at > now())
    and (p_scope is null or p_scope = any (k.scopes))
$$;

create function private.member_project_ids(p_roles text[]) returns text[]
language sql stable security definer set search_path = ''
as $$
  select coalesce(array_agg(m.project_id), '{}'::text[])
  from public.project_members m
  where m.user_id = auth.uid() and m.role = any (p_roles)
$$;

-- Projects the caller may read: any role; an API key with any scope.
create function private.readable_project_ids() returns text[]
language sql stable security definer set search_path = ''
as $$
  select case when auth.jwt() ? 'api_key_id'
    then array_remove(array[private.api_key_project(null)], null)
    else private.member_project_ids(array['owner', 'admin', 'member', 'viewer']) end
$$;

-- Projects the caller may write to: not viewers; an API key needs the write scope.
create function private.writable_project_ids() returns text[]
language sql stable security definer set search_path = ''
as $$
  select case when auth.jwt() ? 'api_key_id'
    then array_remove(array[private.api_key_project('write')], null)
    else private.member_project_ids(array['owner', 'admin', 'member']) end
$$;

-- Projects the caller administers: owners and admins; never an API key.
create function private.admin_project_ids() returns text[]
language sql stable security definer set search_path = ''
as $$
  select case when auth.jwt() ? 'api_key_id' then '{}'::text[]
    else private.member_project_ids(array['owner', 'admin']) end
$$;

create function private.owner_project_ids() returns text[]
language sql stable security definer set search_path = ''
as $$
  select case when auth.jwt() ? 'api_key_id' then '{}'::text[]
    else private.member_project_ids(array['owner']) end
$$;

revoke all on all functions in schema private from public;
grant execute on all functions in schema private to authenticated, service_role;

-- Triggers guarding tenancy.

create function private.touch_updated_at() returns trigger
language plpgsql
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create trigger trigger_project_config_updated_at
  before update on public.project_config
  for each row execute function private.touch_updated_at();

-- Whoever creates a project owns it.
create function private.add_project_owner() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if auth.uid() is not null then
    insert into public.project_members (project_id, user_id, role)
    values (new.id, auth.uid(), 'owner')
    on conflict (project_id, user_id) do update set role = 'owner';
  end if;
  return new;
end
$$;

create trigger trigger_add_project_owner
  after insert on public.project_config
  for each row execute function private.add_project_owner();

-- Only an owner grants, changes or removes the owner role, and a project keeps an owner.
-- Not SECURITY DEFINER: current_user below must be the caller's role, not the owner's.
create function private.guard_project_members() returns trigger
language plpgsql set search_path = ''
as $$
declare
  v_project text := coalesce(new.project_id, old.project_id);
begin
  if tg_op = 'UPDATE' and (new.project_id <> old.project_id or new.user_id <> old.user_id) then
    raise exception 'a membership cannot move to another project or user'
      using errcode = '42501';
  end if;
  if current_user in ('authenticated', 'anon')
     and ((tg_op <> 'INSERT' and old.role = 'owner') or (tg_op <> 'DELETE' and new.role = 'owner'))
     and not (v_project = any (private.owner_project_ids())) then
    raise exception 'only an owner of project % can grant, change or remove the owner role', v_project
      using errcode = '42501';
  end if;
  if tg_op <> 'INSERT' and old.role = 'owner' and (tg_op = 'DELETE' or new.role <> 'owner')
     and exists (select 1 from public.project_config p where p.id = old.project_id)
     and not exists (
       select 1 from public.project_members m
       where m.project_id = old.project_id and m.role = 'owner' and m.user_id <> old.user_id
     ) then
    raise exception 'project % must keep at least one owner', old.project_id
      using errcode = '23514';
  end if;
  return coalesce(new, old);
end
$$;

create trigger trigger_guard_project_members
  before insert or update or delete on public.project_members
  for each row execute function private.guard_project_members();

-- An API key keeps its project and hash; only its name, last use and revocation change.
create function private.guard_api_keys() returns trigger
language plpgsql
as $$
begin
  if new.project_id <> old.project_id or new.key_hash <> old.key_hash
     or new.key_prefix <> old.key_prefix or new.created_by is distinct from old.created_by then
    raise exception 'an API key''s project, hash, prefix and creator cannot change'
      using errcode = '42501';
  end if;
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception 'a revoked API key cannot be restored' using errcode = '42501';
  end if;
  return new;
end
$$;

create trigger trigger_guard_api_keys
  before update on public.api_keys
  for each row execute function private.guard_api_keys();

-- Row-level security.

alter table public.project_config enable row level security;
alter table public.project_members enable row level security;
alter table public.api_keys enable row level security;

revoke all on public.project_config, public.project_members, public.api_keys from anon;
grant select, insert, update, delete on public.project_config, public.project_members, public.api_keys
  to authenticated, service_role;

create policy "Service role has full access" on public.project_config
  for all to service_role using (true) with check (true);
create policy "Members can view their projects" on public.project_config
  for select to authenticated
  using (id = any ((select private.readable_project_ids())::text[]));
-- Any signed-in user may create a project (and becomes its owner); API keys may not.
create policy "Users can create projects" on public.project_config
  for insert to authenticated
  with check ((select auth.uid()) is not null and not ((select auth.jwt()) ? 'api_key_id')
              and created_by = (select auth.uid()));
create policy "Admins can update their projects" on public.project_config
  for update to authenticated
  using (id = any ((select private.admin_project_ids())::text[]))
  with check (id = any ((select private.admin_project_ids())::text[]));
create policy "Owners can delete their projects" on public.project_config
  for delete to authenticated
  using (id = any ((select private.owner_project_ids())::text[]));

create policy "Service role has full access" on public.project_members
  for all to service_role using (true) with check (true);
create policy "Members can view their project members" on public.project_members
  for select to authenticated
  using (project_id = any ((select private.readable_project_ids())::text[]));
create policy "Admins can add project members" on public.project_members
  for insert to authenticated
  with check (project_id = any ((select private.admin_project_ids())::text[]));
create policy "Admins can change project members" on public.project_members
  for update to authenticated
  using (project_id = any ((select private.admin_project_ids())::text[]))
  with check (project_id = any ((select private.admin_project_ids())::text[]));
-- Admins remove members; anyone may leave a project.
create policy "Admins can remove project members" on public.project_members
  for delete to authenticated
  using (project_id = any ((select private.admin_project_ids())::text[]) or user_id = (select auth.uid()));

create policy "Service role has full access" on public.api_keys
  for all to service_role using (true) with check (true);
create policy "Admins can view project API keys" on public.api_keys
  for select to authenticated
  using (project_id = any ((select private.admin_project_ids())::text[]));
create policy "Admins can create project API keys" on public.api_keys
  for insert to authenticated
  with check (project_id = any ((select private.admin_project_ids())::text[])
              and created_by = (select auth.uid()));
create policy "Admins can update project API keys" on public.api_keys
  for update to authenticated
  using (project_id = any ((select private.admin_project_ids())::text[]))
  with check (project_id = any ((select private.admin_project_ids())::text[]));
create policy "Admins can delete project API keys" on public.api_keys
  for delete to authenticated
  using (project_id = any ((select private.admin_project_ids())::text[]));
