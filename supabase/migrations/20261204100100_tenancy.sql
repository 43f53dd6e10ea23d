-- Tenancy: projects, their members and their API keys (the reference tables every
-- project-owned row points at), the RLS helpers every policy calls, and member management.
-- Baseline of 2026-12-04: the final definitions of the migrations before it (git history).

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
  -- set by each UPDATE (updated_at = now()), not a trigger: every Citus copy gets one value
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
-- through RLS; in the non-exposed schema `private`. Policies call them plainly,
-- `project_id = any (private.readable_project_ids())`, never in a sub-select (Citus does not
-- route one): STABLE, so where project_id leads an index the call is an index condition,
-- evaluated once per scan (bench/RESULTS.md, "Policy form").
-- An API-key request carries `api_key_id` in its claims (set by the server after it
-- checked the key's hash); the key is re-checked here, so revoking it takes effect at once.
-- PL/pgSQL, not SQL: a LANGUAGE sql SECURITY DEFINER function is planned again for every
-- statement that calls it (about 0.25 ms each, bench/RESULTS.md); PL/pgSQL keeps its plans.

-- The project of the API key named in the caller's claims, if that key is live and has
-- the scope asked for (any scope when p_scope is null). Unused by the policies (project_ids_for).
create function private.api_key_project(p_scope text default null) returns text
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

create function private.member_project_ids(p_roles text[]) returns text[]
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
create function private.project_ids_for(p_roles text[], p_key_scope text, p_key_allowed boolean)
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

-- Projects the caller may read: any role; an API key with any scope.
create function private.readable_project_ids() returns text[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.project_ids_for(array['owner', 'admin', 'member', 'viewer'], null, true);
end
$$;

-- Projects the caller may write to: not viewers; an API key needs the write scope.
create function private.writable_project_ids() returns text[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.project_ids_for(array['owner', 'admin', 'member'], 'write', true);
end
$$;

-- Projects the caller administers: owners and admins; never an API key.
create function private.admin_project_ids() returns text[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.project_ids_for(array['owner', 'admin'], null, false);
end
$$;

create function private.owner_project_ids() returns text[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.project_ids_for(array['owner'], null, false);
end
$$;

-- An API key is checked in the request's own transaction.
--
-- A request with an API key used to look the key up in a transaction of its own (as the
-- service role) before its real work: two transactions and two round trips for each call.
-- What a key's hash names (its id, project and scopes) never changes, so the server keeps
-- that mapping in memory; what does change (revoked, expired) is checked here, in the same
-- statement that sets the request's role and claims. A key revoked a moment ago fails its
-- next request with 28000 before any of the request's statements run, exactly as before.
create function private.require_live_api_key(p_key_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not exists (
    select 1 from public.api_keys k
    where k.id = p_key_id
      and k.revoked_at is null
      and (k.expires_at is null or k.expires_at > now())
  ) then
    raise exception 'this API key is not valid (unknown, revoked or expired)'
      using errcode = '28000';
  end if;
  return true;
end
$$;

-- Functions decide whom to trust from the database role, never from the claims: the role
-- helpers are for the policies (authenticated) and the service role; the rest only for
-- their owner (only the connecting role calls require_live_api_key, in withUserScope's
-- first statement, before its set_config('role', ...) runs).
revoke all on all functions in schema private from public;
grant execute on function private.readable_project_ids(), private.writable_project_ids(),
  private.admin_project_ids(), private.owner_project_ids() to authenticated, service_role;

-- Triggers on these reference tables fire on every node's copy under Citus, so none computes
-- a value or writes a row: the one left is a pure guard that reads nothing but NEW and OLD.
-- Project creation and member changes, which read and write other rows, are SECURITY DEFINER
-- functions below; updated_at is set by the application's UPDATE (the coordinator's now()).

-- A membership keeps its project and user.
create function private.guard_project_members() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.project_id <> old.project_id or new.user_id <> old.user_id then
    raise exception 'a membership cannot move to another project or user'
      using errcode = '42501';
  end if;
  return new;
end
$$;

create trigger trigger_guard_project_members
  before update on public.project_members
  for each row execute function private.guard_project_members();

-- An API key keeps its project and hash; only its name, last use and revocation change.
create function private.guard_api_keys() returns trigger
language plpgsql set search_path = ''
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
  to service_role;
-- Callers create projects and change memberships only through the functions below.
grant select, update, delete on public.project_config to authenticated;
grant select on public.project_members to authenticated;
grant select, insert, update, delete on public.api_keys to authenticated;

create policy "Service role has full access" on public.project_config
  for all to service_role using (true) with check (true);
create policy "Members can view their projects" on public.project_config
  for select to authenticated
  using (id = any (private.readable_project_ids()));
create policy "Admins can update their projects" on public.project_config
  for update to authenticated
  using (id = any (private.admin_project_ids()))
  with check (id = any (private.admin_project_ids()));
create policy "Owners can delete their projects" on public.project_config
  for delete to authenticated
  using (id = any (private.owner_project_ids()));

create policy "Service role has full access" on public.project_members
  for all to service_role using (true) with check (true);
create policy "Members can view their project members" on public.project_members
  for select to authenticated
  using (project_id = any (private.readable_project_ids()));

create policy "Service role has full access" on public.api_keys
  for all to service_role using (true) with check (true);
create policy "Admins can view project API keys" on public.api_keys
  for select to authenticated
  using (project_id = any (private.admin_project_ids()));
create policy "Admins can create project API keys" on public.api_keys
  for insert to authenticated
  with check (project_id = any (private.admin_project_ids())
              and created_by = auth.uid());
create policy "Admins can update project API keys" on public.api_keys
  for update to authenticated
  using (project_id = any (private.admin_project_ids()))
  with check (project_id = any (private.admin_project_ids()));
create policy "Admins can delete project API keys" on public.api_keys
  for delete to authenticated
  using (project_id = any (private.admin_project_ids()));

-- Member management. auth.users is not readable by callers, so these
-- functions look users up for project admins (and list members' emails to members).

create function public.list_project_members(p_project_id text)
returns table (user_id uuid, email text, role text, created_at timestamptz)
language sql stable security definer set search_path = ''
as $$
  select m.user_id, u.email, m.role, m.created_at
  from public.project_members m
  join auth.users u on u.id = m.user_id
  where m.project_id = p_project_id
    and p_project_id = any (private.readable_project_ids())
  order by case m.role when 'owner' then 0 when 'admin' then 1 when 'member' then 2 else 3 end,
           u.email
$$;

-- Not an admin of the project: as if it did not exist, unless the caller can see it.
create function private.require_project_admin(p_project_id text, p_what text) returns void
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not (p_project_id = any (private.admin_project_ids())) then
    if p_project_id = any (private.readable_project_ids()) then
      raise exception 'only owners and admins of project % can %', p_project_id, p_what
        using errcode = '42501';
    end if;
    raise exception 'project % not found', p_project_id using errcode = 'P0002';
  end if;
end
$$;

-- Only an owner grants, changes or removes the owner role.
create function private.require_owner_for(p_project_id text, p_old_role text, p_new_role text) returns void
language plpgsql stable security definer set search_path = ''
as $$
begin
  if (p_old_role = 'owner' or p_new_role = 'owner')
     and not (p_project_id = any (private.owner_project_ids())) then
    raise exception 'only an owner of project % can grant, change or remove the owner role', p_project_id
      using errcode = '42501';
  end if;
end
$$;

-- After a change that took the owner role from someone: a project keeps an owner.
create function private.require_an_owner(p_project_id text) returns void
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not exists (select 1 from public.project_members m where m.project_id = p_project_id and m.role = 'owner') then
    raise exception 'project % must keep at least one owner', p_project_id using errcode = '23514';
  end if;
end
$$;

-- Whoever creates a project owns it: both rows written here, not by a trigger (which
-- would run on every node's copy of these reference tables under Citus).
create function public.create_project(p_id text, p_name text, p_description text default null)
returns table (id text, name text, description text, created_at timestamptz, role text)
language plpgsql security definer set search_path = ''
as $$
declare
  v_user uuid := auth.uid();
begin
  if v_user is null or auth.jwt() ? 'api_key_id' then
    raise exception 'only signed-in users can create projects' using errcode = '42501';
  end if;
  insert into public.project_config (id, name, description, created_by)
  values (p_id, btrim(p_name), p_description, v_user);
  insert into public.project_members (project_id, user_id, role) values (p_id, v_user, 'owner');
  return query
    select p.id, p.name, p.description, p.created_at, 'owner'::text
    from public.project_config p where p.id = p_id;
end
$$;

create function public.add_project_member(p_project_id text, p_email text, p_role text default 'member')
returns table (user_id uuid, email text, role text, created_at timestamptz)
language plpgsql security definer set search_path = ''
as $$
declare
  v_user uuid;
  v_old text;
begin
  perform private.require_project_admin(p_project_id, 'add members');
  select u.id into v_user from auth.users u where lower(u.email) = lower(btrim(p_email));
  if v_user is null then
    raise exception 'no user with email % has signed up yet', p_email using errcode = 'P0002';
  end if;
  select m.role into v_old from public.project_members m
  where m.project_id = p_project_id and m.user_id = v_user;
  perform private.require_owner_for(p_project_id, v_old, p_role);
  -- by constraint name: a column list would clash with the output columns (user_id, role)
  insert into public.project_members as m (project_id, user_id, role)
  values (p_project_id, v_user, p_role)
  on conflict on constraint project_members_pkey do update set role = excluded.role;
  if v_old = 'owner' and p_role <> 'owner' then
    perform private.require_an_owner(p_project_id);
  end if;
  return query
    select m.user_id, u.email, m.role, m.created_at
    from public.project_members m join auth.users u on u.id = m.user_id
    where m.project_id = p_project_id and m.user_id = v_user;
end
$$;

create function public.set_project_member_role(p_project_id text, p_user_id uuid, p_role text)
returns table (user_id uuid, email text, role text, created_at timestamptz)
language plpgsql security definer set search_path = ''
as $$
declare
  v_old text;
begin
  perform private.require_project_admin(p_project_id, 'change members');
  select m.role into v_old from public.project_members m
  where m.project_id = p_project_id and m.user_id = p_user_id;
  if v_old is null then
    raise exception 'member % not found in project %', p_user_id, p_project_id using errcode = 'P0002';
  end if;
  perform private.require_owner_for(p_project_id, v_old, p_role);
  update public.project_members m set role = p_role
  where m.project_id = p_project_id and m.user_id = p_user_id;
  if v_old = 'owner' and p_role <> 'owner' then
    perform private.require_an_owner(p_project_id);
  end if;
  return query
    select m.user_id, u.email, m.role, m.created_at
    from public.project_members m join auth.users u on u.id = m.user_id
    where m.project_id = p_project_id and m.user_id = p_user_id;
end
$$;

-- Admins remove members; anyone may leave a project. False when there was no such member.
create function public.remove_project_member(p_project_id text, p_user_id uuid) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  v_old text;
begin
  if p_user_id is distinct from auth.uid() then
    perform private.require_project_admin(p_project_id, 'remove members');
  end if;
  select m.role into v_old from public.project_members m
  where m.project_id = p_project_id and m.user_id = p_user_id;
  if v_old is null then
    return false;
  end if;
  perform private.require_owner_for(p_project_id, v_old, null);
  delete from public.project_members m where m.project_id = p_project_id and m.user_id = p_user_id;
  if v_old = 'owner' then
    perform private.require_an_owner(p_project_id);
  end if;
  return true;
end
$$;

revoke all on function public.list_project_members(text), public.add_project_member(text, text, text),
  public.set_project_member_role(text, uuid, text), public.remove_project_member(text, uuid)
  from public, anon;
grant execute on function public.list_project_members(text), public.add_project_member(text, text, text),
  public.set_project_member_role(text, uuid, text), public.remove_project_member(text, uuid)
  to authenticated, service_role;
-- the creator becomes the owner: only a signed-in user (auth.uid()) creates projects
revoke all on function public.create_project(text, text, text) from public, anon, service_role;
grant execute on function public.create_project(text, text, text) to authenticated;

revoke all on function private.require_project_admin(text, text), private.require_owner_for(text, text, text),
  private.require_an_owner(text), private.guard_project_members(), private.guard_api_keys()
  from public, anon, authenticated, service_role;
