-- Live updates: every change to a run (its iterations change it too, through the
-- statistics trigger) is announced on the channel optiscope_run_changes with only ids.
-- Listeners check the caller's access before passing anything on.

create function private.notify_run_change() returns trigger
language plpgsql
as $$
declare
  v_row record := coalesce(new, old);
begin
  perform pg_notify(
    'optiscope_run_changes',
    json_build_object('project_id', v_row.project_id, 'run_id', v_row.id, 'op', lower(tg_op))::text
  );
  return null;
end
$$;

create trigger trigger_notify_run_change
  after insert or update or delete on public.optimization_runs
  for each row execute function private.notify_run_change();

-- Where LISTEN is not delivered (PGlite behind its socket server), the server polls
-- recent changes instead; this index keeps that poll cheap.
create index idx_optimization_runs_updated_at on public.optimization_runs (updated_at desc);
