{{/* The release's resource names and labels. */}}
{{- define "cuewire.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "cuewire.headless" -}}{{ include "cuewire.fullname" . }}-cluster{{- end -}}

{{- define "cuewire.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cuewire.labels" -}}
{{ include "cuewire.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Every process's address, in ordinal order: the `-a` list Bytewax needs. */}}
{{- define "cuewire.addresses" -}}
{{- $name := include "cuewire.fullname" . -}}
{{- $svc := include "cuewire.headless" . -}}
{{- $addresses := list -}}
{{- range $i := until (int .Values.replicas) -}}
{{- $addresses = append $addresses (printf "%s-%d.%s.%s.svc.cluster.local:%d" $name $i $svc $.Release.Namespace (int $.Values.clusterPort)) -}}
{{- end -}}
{{- join ";" $addresses -}}
{{- end -}}

{{- define "cuewire.kafkaSecret" -}}{{ .Values.kafkaSasl.existingSecret | default (printf "%s-kafka" (include "cuewire.fullname" .)) }}{{- end -}}
{{- define "cuewire.redisSecret" -}}{{ .Values.redis.existingSecret | default (printf "%s-redis" (include "cuewire.fullname" .)) }}{{- end -}}
