{{/*
Expand the name of the chart.
*/}}
{{- define "incidents-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name, truncated at 63 characters (the DNS label limit of Kubernetes names).
A release name that already contains the chart name is used as is.
*/}}
{{- define "incidents-service.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "incidents-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The image tag: image.tag, else the chart's appVersion. `latest` names no particular build, so a
rollback could not bring the previous version back; it is refused here as well as in the schema.
*/}}
{{- define "incidents-service.imageTag" -}}
{{- $tag := toString (.Values.image.tag | default .Chart.AppVersion) }}
{{- if eq $tag "latest" }}
{{- fail "image.tag must name a version, not \"latest\"" }}
{{- end }}
{{- $tag }}
{{- end }}

{{/*
The image reference. With image.digest the pods run exactly that image (a lasting environment deploys
the digest the release published); the tag stays in the reference for people reading it.
*/}}
{{- define "incidents-service.image" -}}
{{- printf "%s:%s" .Values.image.repository (include "incidents-service.imageTag" .) }}
{{- with .Values.image.digest }}{{ printf "@%s" . }}{{ end }}
{{- end }}

{{/*
Common labels. app.kubernetes.io/version is the running image's tag, which may differ from appVersion.
*/}}
{{- define "incidents-service.labels" -}}
helm.sh/chart: {{ include "incidents-service.chart" . }}
{{ include "incidents-service.selectorLabels" . }}
app.kubernetes.io/version: {{ include "incidents-service.imageTag" . | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels: only the labels that never change over a release's life.
*/}}
{{- define "incidents-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "incidents-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the service account to use.
*/}}
{{- define "incidents-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "incidents-service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The name of a ConfigMap that holds one content, as kustomize's configMapGenerator names them:
<fullname>-<part>-<the first 10 hex digits of the SHA-256 of its data>. The name changes when, and
only when, the data changes, so the ConfigMap can be immutable and each revision's pods read only
their own revision's data; and since the Deployment refers to the name, a new content is a new pod
template, a rollout. Only the data is hashed, not the labels: an image-only upgrade keeps the
ConfigMaps. The full name is shortened, never the hash, to stay within 63 characters.
Called as: include "incidents-service.contentName" (list . "incidents" $data)
*/}}
{{- define "incidents-service.contentName" -}}
{{- $root := index . 0 }}
{{- $suffix := printf "-%s-%s" (index . 1) (index . 2 | sha256sum | trunc 10) }}
{{- $prefix := include "incidents-service.fullname" $root | trunc (int (sub 63 (len $suffix))) | trimSuffix "-" }}
{{- printf "%s%s" $prefix $suffix }}
{{- end }}

{{/*
The env ConfigMap's data: envVars as strings (a ConfigMap holds only strings, so numbers and
booleans are stored as their text). Rendered once here for both the ConfigMap and its name.
*/}}
{{- define "incidents-service.envData" -}}
{{- $data := dict }}
{{- range $name, $value := .Values.envVars }}
{{- $_ := set $data $name (toString $value) }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/*
The incidents ConfigMap's data. A JSON string is a YAML scalar that keeps every character as it is;
a block scalar would turn CRLF into LF and drop or add trailing newlines.
*/}}
{{- define "incidents-service.incidentsData" -}}
incidents.yaml: {{ include "incidents-service.incidentsFile" . | toJson }}
{{- end }}

{{- define "incidents-service.envConfigMapName" -}}
{{- include "incidents-service.contentName" (list . "env" (include "incidents-service.envData" .)) }}
{{- end }}

{{- define "incidents-service.incidentsConfigMapName" -}}
{{- include "incidents-service.contentName" (list . "incidents" (include "incidents-service.incidentsData" .)) }}
{{- end }}

{{/*
The incidents file as mounted in the pods: the operator's own text when incidentsFile is set,
untouched; otherwise the incidents list, rebuilt by toYaml (comments and key order do not survive).
*/}}
{{- define "incidents-service.incidentsFile" -}}
{{- if .Values.incidentsFile }}
{{- .Values.incidentsFile }}
{{- else }}
{{- toYaml (dict "incidents" .Values.incidents) }}
{{- end }}
{{- end }}

{{/*
terminationGracePeriodSeconds: the kubelet kills the container when it runs out, so it must cover
the preStop sleep plus the service's own drain time. Computed with 5 s of headroom unless set;
a value set too low fails the render instead of cutting requests off at every rollout.
*/}}
{{- define "incidents-service.terminationGracePeriodSeconds" -}}
{{- $sleep := int .Values.shutdown.preStopSleepSeconds }}
{{- $drain := div (add (int .Values.shutdown.timeoutMs) 999) 1000 }}
{{- $minimum := add $sleep $drain }}
{{- $set := .Values.shutdown.terminationGracePeriodSeconds }}
{{- if $set }}
{{- if le (int $set) $minimum }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds (%d) must be larger than shutdown.preStopSleepSeconds + shutdown.timeoutMs (%d s)" (int $set) $minimum) }}
{{- end }}
{{- int $set }}
{{- else }}
{{- add $minimum 5 }}
{{- end }}
{{- end }}
