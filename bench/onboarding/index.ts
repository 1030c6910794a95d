// Placeholder replaced by the onboarding benchmark (issue 10); fails loudly until then.
throw new Error('bench:onboarding is not written yet');
