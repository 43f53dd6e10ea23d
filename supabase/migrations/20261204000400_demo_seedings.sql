-- When the demo data was seeded. A first start (npm start) seeds only a database that was
-- never seeded, so that a user who deleted the demo projects keeps them gone even when
-- no project is left; npm run db:seed still seeds on request.

create table private.demo_seedings (
  id bigint generated always as identity primary key,
  seeded_at timestamptz not null default now()
);
alter table private.demo_seedings enable row level security;
revoke all on private.demo_seedings from public, anon, authenticated;
grant select, insert on private.demo_seedings to service_role;
create policy "Service role has full access" on private.demo_seedings
  for all to service_role using (true) with check (true);

-- databases seeded before this migration: a demo project still there tells
insert into private.demo_seedings (seeded_at)
select now() where exists (
  select 1 from public.project_config where id in ('demo-qa', 'demo-rag', 'demo-extract')
);
