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
  using (id = any (private.readable_project_ids()));
-- Any signed-in user may create a project (and becomes its owner); API keys may not.
create policy "Users can create projects" on public.project_config
  for insert to authenticated
  with check (auth.uid() is not null and not (auth.jwt() ? 'api_key_id')
              and created_by = auth.uid());
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
create policy "Admins can add project members" on public.project_members
  for insert to authenticated
  with check (project_id = any (private.admin_project_ids()));
create policy "Admins can change project members" on public.project_members
  for update to authenticated
  using (project_id = any (private.admin_project_ids()))
  with check (project_id = any (private.admin_project_ids()));
-- Admins remove members; anyone may leave a project.
create policy "Admins can remove project members" on public.project_members
  for delete to authenticated
  using (project_id = any (private.admin_project_ids()) or user_id = auth.uid());

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

-- Member management by email. auth.users is not readable by callers, so these two
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

create function public.add_project_member(p_project_id text, p_email text, p_role text default 'member')
returns table (user_id uuid, email text, role text, created_at timestamptz)
language plpgsql security definer set search_path = ''
as $$
declare
  v_user uuid;
begin
  if not (p_project_id = any (private.admin_project_ids())) then
    -- not an admin here: as if the project did not exist, unless the caller can see it
    if p_project_id = any (private.readable_project_ids()) then
      raise exception 'only owners and admins of project % can add members', p_project_id
        using errcode = '42501';
    end if;
    raise exception 'project % not found', p_project_id using errcode = 'P0002';
  end if;
  if p_role = 'owner' and not (p_project_id = any (private.owner_project_ids())) then
    raise exception 'only an owner of project % can grant the owner role', p_project_id
      using errcode = '42501';
  end if;
  select u.id into v_user from auth.users u where lower(u.email) = lower(btrim(p_email));
  if v_user is null then
    raise exception 'no user with email % has signed up yet', p_email using errcode = 'P0002';
  end if;
  -- trigger_guard_project_members cannot tell who calls through this SECURITY DEFINER
  -- function, so the owner rule is checked here too
  if p_role <> 'owner' and not (p_project_id = any (private.owner_project_ids())) and exists (
    select 1 from public.project_members m
    where m.project_id = p_project_id and m.user_id = v_user and m.role = 'owner'
  ) then
    raise exception 'only an owner of project % can change an owner''s role', p_project_id
      using errcode = '42501';
  end if;
  -- by constraint name: a column list would clash with the output columns (user_id, role)
  insert into public.project_members as m (project_id, user_id, role)
  values (p_project_id, v_user, p_role)
  on conflict on constraint project_members_pkey do update set role = excluded.role;
  return query
    select m.user_id, u.email, m.role, m.created_at
    from public.project_members m join auth.users u on u.id = m.user_id
    where m.project_id = p_project_id and m.user_id = v_user;
end
$$;

revoke all on function public.list_project_members(text), public.add_project_member(text, text, text)
  from public, anon;
grant execute on function public.list_project_members(text), public.add_project_member(text, text, text)
  to authenticated, service_role;

revoke all on function private.touch_updated_at(), private.add_project_owner(), private.guard_project_members(),
  private.guard_api_keys() from public, anon, authenticated, service_role;
