// Drives a dispatchd server with @octokit/rest, pointed at it by base URL
// only, and prints what it saw as JSON for e2e/octokit_test.go to check.
import { Octokit } from "@octokit/rest";

const octokit = new Octokit({
  auth: process.env.DISPATCHD_TOKEN,
  baseUrl: process.env.DISPATCHD_URL + "/api/v3",
});
const owner = process.env.OWNER;
const repo = process.env.REPO;
const out = {};

let r = await octokit.rest.repos.createDispatchEvent({
  owner, repo, event_type: "trigger-deploy",
  client_payload: { image_tag: "sha-octokit", environment: "production" },
});
out.dispatch = { status: r.status, id: r.headers["x-dispatch-id"] };

r = await octokit.rest.actions.createWorkflowDispatch({
  owner, repo, workflow_id: "greet.yml", ref: "main", inputs: { source: "octokit" },
});
out.workflowDispatch = { status: r.status };

r = await octokit.rest.actions.listWorkflowRuns({ owner, repo, workflow_id: "greet.yml" });
out.greetRuns = r.data.total_count;
const runId = r.data.workflow_runs[0].id;

r = await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: runId });
out.run = { id: r.data.id, event: r.data.event, status: r.data.status, display_title: r.data.display_title,
  head_branch: r.data.head_branch, run_number: r.data.run_number };

r = await octokit.rest.actions.listWorkflowRunsForRepo({ owner, repo, event: "repository_dispatch" });
out.dispatchRuns = r.data.workflow_runs.map((w) => w.display_title).sort();

try {
  await octokit.rest.repos.createDispatchEvent({ owner, repo, event_type: "" });
  out.bad = { status: 0 };
} catch (e) {
  out.bad = { status: e.status, message: e.response?.data?.message };
}

console.log(JSON.stringify(out));
