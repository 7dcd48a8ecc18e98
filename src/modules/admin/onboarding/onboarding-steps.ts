/** ONB-2: the guided setup steps, in order, and what the live OU data says about each. */
export interface OnboardingFacts {
  integrationConnected: boolean;
  scoringRuleExists: boolean;
  engagementLevelExists: boolean;
}

export interface OnboardingStep {
  id: 'connect_integration' | 'create_scoring_rules' | 'set_engagement_levels';
  label: string;
  completed: boolean;
  action_path: string;
}

export interface OnboardingStatus {
  steps: OnboardingStep[];
  all_complete: boolean;
  completed_count: number;
  total_count: number;
}

/** ONB-1/2, pure: the checklist from the facts. */
export function onboardingStatus(f: OnboardingFacts): OnboardingStatus {
  const steps: OnboardingStep[] = [
    { id: 'connect_integration', label: 'Connect an integration', completed: f.integrationConnected, action_path: '/settings/integrations' },
    { id: 'create_scoring_rules', label: 'Create your first scoring rule', completed: f.scoringRuleExists, action_path: '/configure/scoring/engagement' },
    { id: 'set_engagement_levels', label: 'Set up engagement levels', completed: f.engagementLevelExists, action_path: '/configure/levels/engagement' },
  ];
  const completed = steps.filter((s) => s.completed).length;
  return { steps, all_complete: completed === steps.length, completed_count: completed, total_count: steps.length };
}
