-- Row-level security -------------------------------------------------------------------
-- The schema document's two policies per table, with the document's names. A viewer
-- (and a read-only API key) reads through "Users can manage own project ..." but the
-- restrictive policies stop its updates and deletes; its inserts fail the WITH CHECK.

alter table public.optimization_runs enable row level security;
alter table public.optimization_iterations enable row level security;
alter table public.optimization_samples enable row level security;

revoke all on public.optimization_runs, public.optimization_iterations,
  public.optimization_samples from anon;
grant select, insert, update, delete on public.optimization_runs,
  public.optimization_iterations, public.optimization_samples to authenticated, service_role;
grant usage, select on sequence public.optimization_samples_id_seq to authenticated, service_role;

create policy "Service role has full access" on public.optimization_runs
  for all to service_role using (true) with check (true);
create policy "Users can manage own project optimization_runs" on public.optimization_runs
  for all to authenticated
  using (project_id = any (private.readable_project_ids()))
  with check (project_id = any (private.writable_project_ids()));
create policy "Only writers can update optimization_runs" on public.optimization_runs
  as restrictive for update to authenticated
  using (project_id = any (private.writable_project_ids()));
create policy "Only writers can delete optimization_runs" on public.optimization_runs
  as restrictive for delete to authenticated
  using (project_id = any (private.writable_project_ids()));

create policy "Service role has full access" on public.optimization_iterations
  for all to service_role using (true) with check (true);
create policy "Users can manage own project optimization_iterations" on public.optimization_iterations
  for all to authenticated
  using (project_id = any (private.readable_project_ids()))
  with check (project_id = any (private.writable_project_ids()));
create policy "Only writers can update optimization_iterations" on public.optimization_iterations
  as restrictive for update to authenticated
  using (project_id = any (private.writable_project_ids()));
create policy "Only writers can delete optimization_iterations" on public.optimization_iterations
  as restrictive for delete to authenticated
  using (project_id = any (private.writable_project_ids()));

create policy "Service role has full access" on public.optimization_samples
  for all to service_role using (true) with check (true);
create policy "Users can manage own project optimization_samples" on public.optimization_samples
  for all to authenticated
  using (project_id = any (private.readable_project_ids()))
  with check (project_id = any (private.writable_project_ids()));
create policy "Only writers can update optimization_samples" on public.optimization_samples
  as restrictive for update to authenticated
  using (project_id = any (private.writable_project_ids()));
create policy "Only writers can delete optimization_samples" on public.optimization_samples
  as restrictive for delete to authenticated
  using (project_id = any (private.writable_project_ids()));
