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
