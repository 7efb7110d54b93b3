{{/* Names, labels and the pieces every component shares. */}}
{{- define "turbine.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "turbine.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A component's name: <fullname>-<component>, at most 63 characters. */}}
{{- define "turbine.component" -}}
{{- printf "%s-%s" (include "turbine.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "turbine.selectorLabels" -}}
app.kubernetes.io/name: {{ include "turbine.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "turbine.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "turbine.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{- define "turbine.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "turbine.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "turbine.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The registry URL the server pulls from: model.registry.url, else this release's registry Service. */}}
{{- define "turbine.registryUrl" -}}
{{- if .Values.server.model.registry.url -}}
{{- .Values.server.model.registry.url -}}
{{- else -}}
{{- printf "http://%s:%d" (include "turbine.component" (dict "root" . "component" "registry")) (int .Values.registry.service.port) -}}
{{- end -}}
{{- end -}}

{{/* An HTTP probe on the named port. */}}
{{- define "turbine.probe" -}}
httpGet:
  path: {{ .path }}
  port: {{ .port }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: 2
failureThreshold: {{ .probe.failureThreshold }}
{{- end -}}
