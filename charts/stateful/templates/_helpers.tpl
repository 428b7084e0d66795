{% macro name() -%}
{{ Values.nameOverride | default(Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endmacro %}

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

{% macro selectorLabels() -%}
app.kubernetes.io/name: {{ name() }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endmacro %}

{% macro labels() -%}
helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") | trunc(63) | trimSuffix("-") }}
{{ selectorLabels() }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endmacro %}

{#
storageClassName for a claim: "-" means no class (""), "" leaves the field out so the cluster
default applies, anything else is used as is.
#}
{% macro storageClass(cls) -%}
{%- if cls == "-" -%}
storageClassName: ""
{%- elif cls -%}
storageClassName: {{ cls | quote }}
{%- endif -%}
{%- endmacro %}
