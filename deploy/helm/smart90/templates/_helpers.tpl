{{/* The chart's name, or nameOverride. */}}
{{- define "smart90.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The objects' name: fullnameOverride, or the release's name with the chart's after it unless it already holds it. */}}
{{- define "smart90.fullname" -}}
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

{{/* Labels every object carries. */}}
{{- define "smart90.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "smart90.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The labels that select the pods; never change them (selectors are immutable). */}}
{{- define "smart90.selectorLabels" -}}
app.kubernetes.io/name: {{ include "smart90.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The service account the pods run as. */}}
{{- define "smart90.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "smart90.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image: repository (required), then @digest or :tag (default appVersion). */}}
{{- define "smart90.image" -}}
{{- $repo := required "image.repository is required: where you pushed the image built from the repository's Dockerfile (docker build -t <your registry>/smart90:0.1.0 .)" .Values.image.repository }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The Secret with smart90's secret settings, which the chart never creates. */}}
{{- define "smart90.secretName" -}}
{{- required "existingSecret is required: create a Secret with SMART90_DATABASE_URL and your Slack or Teams credentials (kubectl create secret generic smart90 --from-literal=SMART90_DATABASE_URL=postgres://…), then --set existingSecret=smart90" .Values.existingSecret }}
{{- end }}
