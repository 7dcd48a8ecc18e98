import { onboardingStatus } from './onboarding-steps';

describe('onboardingStatus', () => {
  it('lists the three steps in order with their labels and paths, none done', () => {
    expect(onboardingStatus({ integrationConnected: false, scoringRuleExists: false, engagementLevelExists: false })).toEqual({
      steps: [
        { id: 'connect_integration', label: 'Connect an integration', completed: false, action_path: '/settings/integrations' },
        { id: 'create_scoring_rules', label: 'Create your first scoring rule', completed: false, action_path: '/configure/scoring/engagement' },
        { id: 'set_engagement_levels', label: 'Set up engagement levels', completed: false, action_path: '/configure/levels/engagement' },
      ],
      all_complete: false,
      completed_count: 0,
      total_count: 3,
    });
  });

  it('counts what is done and is complete only with all three', () => {
    const some = onboardingStatus({ integrationConnected: true, scoringRuleExists: false, engagementLevelExists: true });
    expect([some.completed_count, some.all_complete, some.steps.map((s) => s.completed)]).toEqual([2, false, [true, false, true]]);
    const all = onboardingStatus({ integrationConnected: true, scoringRuleExists: true, engagementLevelExists: true });
    expect([all.completed_count, all.all_complete]).toEqual([3, true]);
  });
});
