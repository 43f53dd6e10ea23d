import { RunsPageSkeleton } from '@/components/runs/runs-table-skeleton';

export default function RunsLoading() {
  return <RunsPageSkeleton />;
}
