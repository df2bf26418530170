import { MailOutlined, PhoneOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Drawer, Skeleton, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Person } from '../../api/types';
import { describeWorkingHours } from '../../lib/localTime';
import { useIsMobile } from '../../shell/useIsMobile';
import { LocalTimeText } from './LocalTimeText';
import { PersonAvatar } from './PersonAvatar';
import { PresenceDot } from './PresenceDot';
import { usePerson } from './usePerson';
import './PersonCard.css';

function PersonDetails({ person, onOpenPerson }: { person: Person; onOpenPerson: (id: number) => void }) {
  const { t, i18n } = useTranslation();
  const dash = <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <>
      <div className="person-card-head">
        <PersonAvatar id={person.id} name={person.name} fileId={person.avatar_file_id} size={64} />
        <div className="person-card-who">
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="person-name">
            {person.name}
          </Typography.Title>
          {person.title && <Typography.Text type="secondary">{person.title}</Typography.Text>}
          <div>
            <PresenceDot presence={person.presence} />
            {!person.active && (
              <Tag color="default" style={{ marginLeft: 8 }}>
                {t('org.inactive')}
              </Tag>
            )}
          </div>
        </div>
      </div>
      <Descriptions column={1} size="small" className="person-card-fields">
        <Descriptions.Item label={t('org.card.departments')}>
          {person.departments.length === 0 ? (
            dash
          ) : (
            <Space orientation="vertical" size={2}>
              {person.departments.map((d) => (
                <span key={d.id} data-testid="person-department">
                  {(d.path.length ? d.path : [d.name]).join(' / ')}
                  {d.is_primary && person.departments.length > 1 && (
                    <Tag color="blue" style={{ marginLeft: 6 }}>
                      {t('org.primary')}
                    </Tag>
                  )}
                </span>
              ))}
            </Space>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.card.manager')}>
          {person.manager ? (
            <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onOpenPerson(person.manager!.id)}>
              {person.manager.name}
            </Button>
          ) : (
            dash
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.card.mobile')}>
          {person.mobile ? (
            <a href={`tel:${person.mobile}`}>
              <PhoneOutlined /> {person.mobile}
            </a>
          ) : (
            dash
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.card.email')}>
          {person.email ? (
            <a href={`mailto:${person.email}`} style={{ wordBreak: 'break-all' }}>
              <MailOutlined /> {person.email}
            </a>
          ) : (
            dash
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.card.employeeNo')}>{person.employee_no || dash}</Descriptions.Item>
        <Descriptions.Item label={t('org.card.localTime')}>
          <Space orientation="vertical" size={0}>
            <LocalTimeText zone={person.timezone} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {person.timezone}
            </Typography.Text>
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('org.card.workingHours')}>
          {person.working_hours ? describeWorkingHours(t, person.working_hours, i18n.language) : dash}
        </Descriptions.Item>
      </Descriptions>
    </>
  );
}

/** The profile card of one person, as a drawer (full width on phones). */
function PersonCardBody({ personId }: { personId: number }) {
  // Following the manager link replaces the card's person; a new `personId` remounts this.
  const [shownId, setShownId] = useState(personId);
  const person = usePerson(shownId);
  return (
    <>
      {person.isPending && <Skeleton avatar active paragraph={{ rows: 6 }} />}
      {person.isError && <Alert type="error" showIcon title={person.error.message} />}
      {person.data && <PersonDetails person={person.data} onOpenPerson={setShownId} />}
    </>
  );
}

export function PersonCard({ personId, onClose }: { personId: number | null; onClose: () => void }) {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  return (
    <Drawer
      open={personId !== null}
      onClose={onClose}
      size={isMobile ? '100%' : 420}
      title={t('org.card.title')}
      destroyOnHidden
    >
      {personId !== null && <PersonCardBody key={personId} personId={personId} />}
    </Drawer>
  );
}
