import { describe, expect, it } from 'vitest';
import { explainIssue, issueLine } from '../lib/dashboard/run-filters.ts';
import { listRunsSchema } from '../lib/supabase-optimization/schemas.ts';

// The runs page says the API's complaints in the labels the visitor sees, without
// changing the API's own field paths.
describe('filter issues on the runs page', () => {
  it('a score range the wrong way round names the labels, the path stays the API one', () => {
    const parsed = listRunsSchema.safeParse({ projectId: 'demo-qa', minScore: 0.9, maxScore: 0.1 });
    expect(parsed.success).toBe(false);
    const issue = parsed.error!.issues[0]!;
    expect(issue.path).toEqual(['minScore']);
    expect(issue.message).toBe('minScore must not exceed maxScore');
    const message = explainIssue({ path: 'minScore', message: issue.message });
    expect(message).toBe('Min final score must not exceed max final score');
    // the message names its field already: no "Min final score:" before it
    expect(issueLine({ path: 'minScore', message })).toEqual({ label: null, message });
  });

  it('other messages keep a label in front and change only whole parameter names', () => {
    expect(issueLine({ path: 'maxScore', message: explainIssue({ path: 'maxScore', message: 'must be at most 1' }) })).toEqual({
      label: 'Max final score',
      message: 'must be at most 1',
    });
    expect(explainIssue({ path: 'cursor', message: 'use either cursor or offset, not both' })).toBe('use either page cursor or offset, not both');
    expect(explainIssue({ path: 'search', message: 'searching is slow' })).toBe('searching is slow');
    expect(issueLine({ path: 'config.model', message: 'must be a string' })).toEqual({ label: 'Config “model”', message: 'must be a string' });
  });
});
