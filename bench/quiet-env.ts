/**
 * Imported first by `run.ts`: the framework's logger and Powertools metrics read these when
 * they load. In Lambda their output goes to CloudWatch; here it would flood the terminal and
 * time the terminal rather than the code.
 */
Object.assign(process.env, {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});
