import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROMETHEUS_DIR = join(ROOT, 'docker/prometheus');
const COMPOSE = join(ROOT, 'docker/compose.yml');

/** A tool of the machine (.ci/run installs promtool and docker-compose), or null when it is absent here. */
function tool(name: string): string | null {
  return spawnSync(name, ['--version']).status === 0 ? name : null;
}
const PROMTOOL = tool('promtool');
const DOCKER_COMPOSE = tool('docker-compose');

function run(command: string, args: string[], cwd = ROOT): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * The series names GET /ops/metrics can show: every `popgate_*` metric src/ declares (with a histogram's `_bucket`,
 * `_sum` and `_count`).
 */
function exposedSeries(): Set<string> {
  const declared = new Set<string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    for (const [, name] of readFileSync(file, 'utf8').matchAll(/['`](popgate_[a-z0-9_]+)['`]/g)) declared.add(name);
  }
  return new Set([...declared].flatMap((name) => [name, `${name}_bucket`, `${name}_sum`, `${name}_count`]));
}

/** The popgate series a PromQL expression reads (label names and values aside). */
function seriesIn(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '').replace(/"[^"]*"/g, '');
  return [...new Set(withoutLabels.match(/\bpopgate_[a-z0-9_]+\b/g) ?? [])];
}

/** GitHub's anchor of a Markdown heading. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
}

interface AlertRule {
  alert: string;
  expr: string;
  annotations?: Record<string, string>;
}

/**
 * The monitoring that operators' tools read, checked with their own tools: Prometheus's configuration and alert rules
 * with promtool, the compose file with docker-compose, the Grafana dashboard against what the code exposes.
 */
describe('monitoring configuration (docker/prometheus, docker/grafana, docker/compose.yml)', () => {
  const exposed = exposedSeries();
  const alerts = parseYaml(readFileSync(join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8')) as { groups: { rules: AlertRule[] }[] };
  const rules = alerts.groups.flatMap((group) => group.rules);

  describe('alert rules', () => {
    (PROMTOOL ? it : it.skip)('pass promtool check rules and their unit tests (promtool test rules)', () => {
      expect(run('promtool', ['check', 'rules', 'docker/prometheus/alerts.yml'])).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 7 rules found') });
      expect(run('promtool', ['test', 'rules', 'alerts.test.yml'], PROMETHEUS_DIR)).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    });

    it('alert on what the issue names, each with a runbook entry of docs/RUNBOOK.md', () => {
      expect(rules.map((rule) => rule.alert)).toEqual([
        'PopgateScrapeTargetDown',
        'PopgateOldestWaitingJobTooOld',
        'PopgateRegistryFailureRateHigh',
        'PopgateAuditCommitFailures',
        'PopgateJournalPartitionsAheadFew',
        'PopgateFollowerLagging',
        'PopgateServiceDegraded',
      ]);
      const runbook = readFileSync(join(ROOT, 'docs/RUNBOOK.md'), 'utf8');
      const anchors = new Set([...runbook.matchAll(/^## (.+)$/gm)].map(([, heading]) => anchorOf(heading)));
      for (const rule of rules) {
        expect({ alert: rule.alert, runbook: rule.annotations?.runbook }).toEqual({ alert: rule.alert, runbook: `docs/RUNBOOK.md#${rule.alert.toLowerCase()}` });
        expect({ alert: rule.alert, entry: anchors.has(rule.alert.toLowerCase()) }).toEqual({ alert: rule.alert, entry: true });
      }
      expect(anchors.size).toBe(rules.length);
    });

    it('read only series the code exposes', () => {
      const unknown = rules.flatMap((rule) => [rule.expr, rule.annotations?.summary ?? ''].flatMap(seriesIn)).filter((name) => !exposed.has(name));
      expect(unknown).toEqual([]);
      // The reader itself: a misspelt name is caught.
      expect(seriesIn('rate(popgate_registry_call_total{outcome="popgate_x"}[5m])').filter((name) => !exposed.has(name))).toEqual(['popgate_registry_call_total']);
    });
  });

  describe('prometheus.yml', () => {
    const config = parseYaml(readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; metrics_path: string; authorization?: { type: string; credentials_file: string }; static_configs: { targets: string[] }[] }[];
    };
    let scratch: string;
    beforeAll(() => {
      scratch = mkdtempSync(join(tmpdir(), 'popgate-prometheus-'));
    });
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    (PROMTOOL ? it : it.skip)('passes promtool check config, as shipped and with its token file and rule file loaded', () => {
      expect(run('promtool', ['check', 'config', '--syntax-only', 'docker/prometheus/prometheus.yml']).status).toBe(0);
      // promtool checks that the token file exists; compose writes it when Prometheus starts. The copy names one here.
      const tokenFile = join(scratch, 'metrics-token');
      writeFileSync(tokenFile, 'a-scrape-token-of-this-test-0000');
      const shipped = readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8');
      expect(shipped.split('credentials_file: /tmp/metrics-token').length - 1).toBe(2);
      writeFileSync(join(scratch, 'prometheus.yml'), shipped.replaceAll('credentials_file: /tmp/metrics-token', `credentials_file: ${tokenFile}`));
      writeFileSync(join(scratch, 'alerts.yml'), readFileSync(join(PROMETHEUS_DIR, 'alerts.yml')));
      expect(run('promtool', ['check', 'config', 'prometheus.yml'], scratch)).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 7 rules found') });
    });

    it("scrapes every API and worker replica of compose.yml, on /ops/metrics with the token, and loads the rules", () => {
      const compose = parseYaml(readFileSync(COMPOSE, 'utf8'), { merge: true }) as { services: Record<string, { command?: string[]; environment?: Record<string, string> }> };
      const replicas = Object.keys(compose.services).filter((name) => /^(api|worker)-\d+$/.test(name));
      const expected = replicas.map((name) => (name.startsWith('api') ? `${name}:${compose.services[name].environment?.PORT}` : `${name}:${compose.services[name].environment?.METRICS_PORT}`));
      expect(expected).toEqual(['api-1:3000', 'api-2:3000', 'worker-1:9464', 'worker-2:9464']);
      const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((group) => group.targets));
      expect(targets.sort()).toEqual(expected.sort());
      for (const job of config.scrape_configs) {
        expect(job).toMatchObject({ metrics_path: '/ops/metrics', authorization: { type: 'Bearer', credentials_file: '/tmp/metrics-token' } });
      }
      expect(config.scrape_configs.map((job) => job.job_name)).toEqual(['popgate-api', 'popgate-worker']);
      expect(config.rule_files).toEqual(['alerts.yml']);
      // Every replica and Prometheus get the one token.
      for (const name of [...replicas, 'prometheus']) expect({ name, token: compose.services[name].environment?.METRICS_TOKEN }).toEqual({ name, token: '${METRICS_TOKEN:-}' });
    });
  });

  (DOCKER_COMPOSE ? it : it.skip)('docker-compose config accepts compose.yml', () => {
    expect(run('docker-compose', ['-f', 'docker/compose.yml', 'config', '-q'])).toEqual({ status: 0, output: '' });
  });

  describe('the Grafana dashboard', () => {
    type Panel = { id: number; type: string; title: string; datasource?: { type: string; uid: string }; targets?: { refId: string; expr: string; datasource?: { uid: string } }[] };
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'docker/grafana/dashboards/popgate.json'), 'utf8')) as { uid: string; title: string; panels: Panel[] };
    const datasources = parseYaml(readFileSync(join(ROOT, 'docker/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: { uid: string; type: string; url: string }[] };
    const provider = parseYaml(readFileSync(join(ROOT, 'docker/grafana/provisioning/dashboards/popgate.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');

    it('is provisioned: its folder is the provider path compose mounts, its datasource the provisioned Prometheus', () => {
      const compose = readFileSync(COMPOSE, 'utf8');
      expect(compose).toContain(`./grafana/dashboards:${provider.providers[0].options.path}:ro`);
      expect(compose).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
      expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
      expect(dashboard).toMatchObject({ uid: 'popgate', title: 'popgate' });
    });

    it('has unique panel ids, and every panel a datasource and targets with an expression', () => {
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
      const uid = datasources.datasources[0].uid;
      for (const panel of panels) {
        expect({ title: panel.title, datasource: panel.datasource }).toEqual({ title: panel.title, datasource: { type: 'prometheus', uid } });
        expect(panel.targets?.length ?? 0).toBeGreaterThan(0);
        const refIds = panel.targets!.map((target) => target.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
        for (const target of panel.targets!) {
          expect(target.expr).toEqual(expect.stringMatching(/popgate_/));
          if (target.datasource) expect(target.datasource.uid).toBe(uid);
        }
      }
    });

    it('reads only series the code exposes, and shows each figure the issue names', () => {
      const expressions = panels.flatMap((panel) => panel.targets!.map((target) => target.expr));
      expect(expressions.flatMap(seriesIn).filter((name) => !exposed.has(name))).toEqual([]);
      const read = new Set(expressions.flatMap(seriesIn));
      for (const figure of [
        'popgate_queue_jobs',
        'popgate_queue_oldest_waiting_age_seconds',
        'popgate_registry_calls_total',
        'popgate_registry_call_duration_seconds_bucket',
        'popgate_audit_commit_seconds_count',
        'popgate_audit_commit_failures_total',
        'popgate_journal_partitions_ahead',
        'popgate_follower_seconds_behind',
        'popgate_coverage_service_status',
        'popgate_coverage_success_ratio',
        'popgate_coverage_automation_ratio',
        'popgate_coverage_essential_services',
      ]) {
        expect({ figure, shown: read.has(figure) }).toEqual({ figure, shown: true });
      }
    });

    (PROMTOOL ? it : it.skip)("has expressions that Prometheus's parser accepts", () => {
      // promtool parses a rule file's expressions: the dashboard's, as recording rules of a scratch file.
      const scratch = mkdtempSync(join(tmpdir(), 'popgate-dashboard-'));
      try {
        const recording = panels.flatMap((panel) => panel.targets!.map((target) => ({ record: `dashboard:panel${panel.id}:${target.refId}`, expr: target.expr })));
        writeFileSync(join(scratch, 'rules.json'), JSON.stringify({ groups: [{ name: 'dashboard', rules: recording }] }));
        expect(run('promtool', ['check', 'rules', 'rules.json'], scratch)).toEqual({ status: 0, output: expect.stringContaining(`SUCCESS: ${recording.length} rules found`) });
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
});

for (const [name, found] of [['promtool', PROMTOOL], ['docker-compose', DOCKER_COMPOSE]] as const) {
  if (!found) process.stderr.write(`monitoring-config: ${name} is not installed (.ci/run installs it); its checks are skipped\n`);
}
