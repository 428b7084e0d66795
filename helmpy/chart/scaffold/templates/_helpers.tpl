{#
Macros shared by every template of this chart. Call them by name, e.g. {{ fullname() }}, or pipe
their text: {{ labels() | nindent(4) }}.
#}

{# The chart name (or nameOverride), at most 63 characters. #}
{% macro name() -%}
{{ Values.nameOverride | default(Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endmacro %}

{#
The fully qualified app name, at most 63 characters (the DNS label limit for many object names).
When the release name already contains the chart name, the release name alone is used.
#}
{% macro fullname() -%}
{%- if Values.fullnameOverride -%}
{{ Values.fullnameOverride | trunc(63) | trimSuffix("-") }}
{%- else -%}
{%- set base = Values.nameOverride | default(Chart.Name) -%}
{%- if base in Release.Name -%}
{{ Release.Name | trunc(63) | trimSuffix("-") }}
{%- else -%}
{{ (Release.Name ~ "-" ~ base) | trunc(63) | trimSuffix("-") }}
{%- endif -%}
{%- endif -%}
{%- endmacro %}

{# Chart name and version, for the helm.sh/chart label. #}
{% macro chart() -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") | trunc(63) | trimSuffix("-") }}
{%- endmacro %}

{# Labels for every object of the release. #}
{% macro labels() -%}
helm.sh/chart: {{ chart() }}
{{ selectorLabels() }}
{% if Chart.AppVersion %}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
{% endif %}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endmacro %}

{# Labels that select this release's pods (they must never change between upgrades). #}
{% macro selectorLabels() -%}
app.kubernetes.io/name: {{ name() }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endmacro %}

{# The ServiceAccount the pods run as. #}
{% macro serviceAccountName() -%}
{%- if Values.serviceAccount.create -%}
{{ Values.serviceAccount.name | default(fullname()) }}
{%- else -%}
{{ Values.serviceAccount.name | default("default") }}
{%- endif -%}
{%- endmacro %}
