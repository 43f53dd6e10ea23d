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

revoke all on function private.require_live_api_key(uuid) from public, anon;
grant execute on function private.require_live_api_key(uuid) to authenticated, service_role;
