{# Named templates: macros callable from every template of the chart. #}
{% macro fullname() -%}
{{ (Release.Name ~ "-" ~ Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endmacro %}

{% macro labels() -%}
app.kubernetes.io/name: {{ Chart.Name }}
app.kubernetes.io/instance: {{ Release.Name }}
helm.sh/chart: {{ Chart.Name }}-{{ Chart.Version }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endmacro %}
