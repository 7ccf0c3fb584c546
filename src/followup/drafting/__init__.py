"""From a workspace to drafts: the draft context, the template library and its sandbox,
the template engine, checks, campaign targeting and a batch's pre-flight."""
